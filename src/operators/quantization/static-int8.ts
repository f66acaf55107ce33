import type { DatasetSample } from '../../datasets/formats/types';
import { cloneModel, loadModel, opsetVersion, saveModel, type ModelProto } from '../../onnx/model-io';
import { TierwiseError } from '../../common/errors';
import { forEachGraph } from '../../onnx/graph';
import { collectStats, type CalibrationOptions } from './calibration';
import { findActivationMatMuls, findWeightedNodes, planQdq } from './qdq-plan';
import { rewriteToQdq } from './qdq-rewrite';
import { rangeOf, type CalibrationMethod, type TensorStats } from './ranges';
import type { QuantType } from './quant-math';
import { feedsFromSamples, prepareForQuantization, type Preparation } from './prepare';
import { hostWeightType, type HostWeightType, type WeightType } from './weight-type';

export interface StaticConfig {
  method: CalibrationMethod;
  percentile?: number;
  perChannel: boolean;
  activationType?: QuantType;
  /** Node names (or `OpType_index` for unnamed nodes) to keep in fp32. */
  exclude?: string[];
  /**
   * Also quantize MatMuls of two computed tensors (attention's QK^T and AV) with QDQ on both inputs, so onnxruntime
   * runs them as integer kernels too (QK^T's 1/sqrt(d) is folded into a dequantization scale). Off by default: on the
   * text fixtures it costs no accuracy but saves only ~2% of int8 kernel time, within run-to-run noise, while
   * quantizing softmax probabilities to 8 bits is a risk on models with sharper attention.
   */
  quantizeActivationMatMuls?: boolean;
  /** How weights are stored; default the host's (hostWeightType: uint8 on x86-64 without VNNI, else int8). */
  weightType?: WeightType;
}

export interface QuantizedModel {
  bytes: Uint8Array;
  quantizedNodes: string[];
  /** fp16 → fp32 and opset conversions done (and verified) before quantizing. */
  preparation?: Preparation;
  /** The weight type used, and why (uint8 where the host's u8×s8 kernels would saturate). */
  weights: HostWeightType;
}

/** A model with its calibration statistics, from which any static configuration is built without rerunning. */
export interface CalibratedModel {
  model: ModelProto;
  candidates: string[];
  stats: Map<string, TensorStats>;
  preparation: Preparation;
}

export async function calibrateModel(
  modelBytes: Uint8Array,
  samples: DatasetSample[],
  options: CalibrationOptions = {},
): Promise<CalibratedModel> {
  if (samples.length === 0) throw new TierwiseError('CALIBRATION_EMPTY', 'the calibration set holds no samples');
  // Per-channel QDQ needs opset 13: older models go through the opset converter (checked on the first samples).
  const prepared = await prepareForQuantization(modelBytes, 13, feedsFromSamples(samples));
  const model = loadModel(prepared.bytes);
  const weighted = findWeightedNodes(model.graph!);
  if (weighted.length === 0) {
    const already = (model.graph!.node ?? []).some((n) => n.opType === 'DequantizeLinear' || n.opType === 'QLinearConv');
    throw new TierwiseError(
      'NOT_QUANTIZABLE',
      already
        ? 'the model is already quantized (its Conv/MatMul/Gemm weights come from DequantizeLinear)'
        : `the model has no Conv, MatMul or Gemm node with a constant float weight, so int8 kernels cannot help it${inSubgraphs(model)}`,
    );
  }
  const plan = planQdq(model.graph!, weighted, findActivationMatMuls(model.graph!));
  const stats = await collectStats(model, plan.activations, samples, options);
  return { model, candidates: weighted.map((w) => w.name), stats, preparation: prepared.preparation };
}

export function buildStatic(calibrated: CalibratedModel, config: StaticConfig): QuantizedModel {
  const model = cloneModel(calibrated.model);
  if (config.perChannel && (opsetVersion(model) ?? 0) < 13) {
    throw new TierwiseError('NOT_QUANTIZABLE', 'per-channel weights need opset 13 or later; use per-tensor');
  }
  const weighted = findWeightedNodes(model.graph!, new Set(config.exclude ?? []));
  if (weighted.length === 0) throw new TierwiseError('NOT_QUANTIZABLE', 'every quantizable node is excluded');
  const activationMatMuls = config.quantizeActivationMatMuls ? findActivationMatMuls(model.graph!, new Set(config.exclude ?? [])) : [];
  const plan = planQdq(model.graph!, weighted, activationMatMuls);
  const ranges = new Map<string, [number, number]>();
  for (const [name, s] of calibrated.stats) ranges.set(name, rangeOf(s, config.method, config.percentile));
  const weights = weightsFor(config.weightType);
  rewriteToQdq(model, plan, ranges, {
    perChannel: config.perChannel,
    activationType: config.activationType ?? 'uint8',
    weightType: weights.type,
  });
  return {
    bytes: saveModel(model),
    quantizedNodes: [...weighted.map((w) => w.name), ...activationMatMuls.map((m) => m.name)],
    preparation: calibrated.preparation,
    weights,
  };
}

/** The weight type a build uses: the configuration's, else the host's (weight-type.ts). */
export function weightsFor(type: WeightType | undefined): HostWeightType {
  return type !== undefined ? { type, reason: `${type} weights, as configured` } : hostWeightType();
}

/** Static int8 QDQ quantization with one configuration. */
export async function quantizeStatic(
  modelBytes: Uint8Array,
  samples: DatasetSample[],
  config: StaticConfig,
  options: CalibrationOptions = {},
): Promise<QuantizedModel> {
  return buildStatic(await calibrateModel(modelBytes, samples, options), config);
}

/** ` (n Conv/MatMul/Gemm nodes sit inside If/Loop/Scan subgraphs, which static int8 does not rewrite; …)` or ''. */
export function inSubgraphs(model: ModelProto): string {
  let n = 0;
  forEachGraph(model.graph!, (g, depth) => {
    if (depth > 0) n += (g.node ?? []).filter((x) => ['Conv', 'MatMul', 'Gemm'].includes(x.opType ?? '')).length;
  });
  return n > 0
    ? ` (${n} Conv/MatMul/Gemm nodes sit inside If/Loop/Scan subgraphs, which static int8 does not rewrite; dynamic int8 and prune do)`
    : '';
}
