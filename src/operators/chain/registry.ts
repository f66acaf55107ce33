import { TierwiseError } from '../../common/errors';
import type { DatasetSample } from '../../datasets/formats/types';
import { loadModel, saveModel } from '../../onnx';
import { applyEarlyExit } from '../early-exit';
import { probeShapes, splitModel } from '../partition';
import { pruneModel, type PruneScope } from '../prune';
import { quantizeDynamic, quantizeStatic, type StaticConfig } from '../quantization';
import type { CalibrationMethod } from '../quantization/ranges';
import type { InputSpec } from '../../onnx/input-spec';

export interface OperatorContext {
  /** Calibration samples for sptq (about 100, as INC uses). */
  calibration?: DatasetSample[];
}

export interface OperatorOutput {
  bytes: Uint8Array;
  report?: unknown;
}

export interface BlackBoxOperator {
  name: string;
  kind: 'black-box';
  apply(modelBytes: Uint8Array, params: Record<string, unknown>, ctx: OperatorContext): Promise<OperatorOutput>;
}

export interface PartitionOutput {
  head: Uint8Array;
  tail: Uint8Array;
  report: { tensors: string[]; transferBytes: number; forwardedInputs: string[] };
}

const stringList = (value: unknown, what: string): string[] => {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) throw new TierwiseError('CHAIN_PARAMS_INVALID', `${what} must be a non-empty list of names`);
  return value as string[];
};

const sptq: BlackBoxOperator = {
  name: 'sptq', kind: 'black-box',
  async apply(bytes, params, ctx) {
    if (!ctx.calibration?.length) throw new TierwiseError('CHAIN_CONTEXT_MISSING', 'sptq needs calibration samples in the operator context');
    const config: StaticConfig = {
      method: (params.method as CalibrationMethod | undefined) ?? 'minmax',
      perChannel: params.perChannel !== false,
      ...(params.percentile !== undefined ? { percentile: Number(params.percentile) } : {}),
      ...(params.exclude !== undefined ? { exclude: stringList(params.exclude, 'sptq exclude') } : {}),
    };
    const quantized = await quantizeStatic(bytes, ctx.calibration, config);
    return { bytes: quantized.bytes, report: { quantizedNodes: quantized.quantizedNodes.length } };
  },
};

const dynamicInt8: BlackBoxOperator = {
  name: 'dynamic-int8', kind: 'black-box',
  async apply(bytes, params) {
    const quantized = quantizeDynamic(bytes, { perChannel: params.perChannel !== false, ...(params.exclude !== undefined ? { exclude: stringList(params.exclude, 'dynamic-int8 exclude') } : {}) });
    return { bytes: quantized.bytes, report: { quantizedNodes: quantized.quantizedNodes.length } };
  },
};

const prune: BlackBoxOperator = {
  name: 'prune', kind: 'black-box',
  async apply(bytes, params) {
    const { model, report } = pruneModel(loadModel(bytes), { sparsity: params.sparsity as number, scope: (params.scope as PruneScope | undefined) ?? 'global' });
    const { layers: _layers, ...summary } = report;
    return { bytes: saveModel(model), report: summary };
  },
};

const earlyExit: BlackBoxOperator = {
  name: 'early-exit', kind: 'black-box',
  async apply(bytes, params) {
    const skip = stringList(params.skip, 'early-exit skip');
    return { bytes: saveModel(await applyEarlyExit(bytes, skip, { shapes: params.shapes as Record<string, number[]> | undefined, spec: params.inputs as InputSpec | undefined })), report: { skipped: skip } };
  },
};

export const OPERATORS: ReadonlyMap<string, BlackBoxOperator> = new Map([sptq, dynamicInt8, prune, earlyExit].map((op) => [op.name, op]));

export function operatorNamed(name: string): BlackBoxOperator {
  const op = OPERATORS.get(name);
  if (!op) throw new TierwiseError('CHAIN_OPERATOR_UNKNOWN', `unknown operator ${JSON.stringify(name)} (known: ${[...OPERATORS.keys(), 'partition'].join(', ')})`);
  return op;
}

/** Partition is special: it yields a head and a tail, so it can only end a chain. Params: `{ cut: string[], shapes?, inputs? }`. */
export async function applyPartition(bytes: Uint8Array, params: Record<string, unknown>): Promise<PartitionOutput> {
  const cut = stringList(params.cut, 'partition cut');
  const model = loadModel(bytes);
  const probe = await probeShapes(model, { shapes: params.shapes as Record<string, number[]> | undefined, spec: params.inputs as InputSpec | undefined });
  const split = splitModel(model, cut, probe);
  const transferBytes = [...split.cut.tensors, ...split.cut.forwardedInputs].reduce((s, n) => s + (probe.get(n)?.bytes ?? 0), 0);
  return { head: saveModel(split.head), tail: saveModel(split.tail), report: { tensors: split.cut.tensors, transferBytes, forwardedInputs: split.cut.forwardedInputs } };
}
