import { TierwiseError } from '../../common/errors';
import type { InputSpec } from '../../onnx/input-spec';
import type { InputTensor } from '../../onnx/io-spec';
import type { Dim, ElementType, ModelProto } from '../../onnx';
import { analyzeCut, type CutShape } from './cut-analysis';
import { indexGraph, type GraphIndex } from './graph-index';
import { probeShapes, type ShapeProbe } from './shape-probe';

export interface CutCandidate {
  /** The cut tensors joined by `+`: a stable id for reports and measurements. */
  id: string;
  tensors: string[];
  tensorInfo: Array<{ name: string; elemType: ElementType; shape: Dim[]; bytes: number }>;
  /** Bytes of the cut tensors at the probed shapes. */
  cutBytes: number;
  forwardedInputs: string[];
  forwardedBytes: number;
  /** What crosses the link: cut tensors plus forwarded graph inputs. */
  transferBytes: number;
  headNodeCount: number;
  tailNodeCount: number;
  /** Node indices (of the original graph) on each side, for cost attribution. */
  headNodes: number[];
  tailNodes: number[];
}

export interface ListCutsOptions {
  /** Whole input shapes by input name (short for an input spec of shapes). */
  shapes?: Record<string, number[]>;
  /** The input spec the probe runs at (a symbolic dim nobody gave is INPUT_SPEC_REQUIRED, never 1). */
  inputs?: InputSpec;
  /** Or the very tensors to probe with (dataset samples). */
  feeds?: Record<string, InputTensor>;
  /** Largest cut set to look for (1 or 2; default 2). */
  maxTensors?: number;
}

export interface CutList {
  cuts: CutCandidate[];
  probe: ShapeProbe;
  index: GraphIndex;
}

/** Every single tensor (and, by default, every pair) that separates the graph's inputs from its outputs. */
export async function listCuts(model: ModelProto, options: ListCutsOptions = {}): Promise<CutList> {
  const maxTensors = options.maxTensors ?? 2;
  if (!(maxTensors === 1 || maxTensors === 2))
    throw new TierwiseError('PARTITION_OPTIONS_INVALID', `maxTensors must be 1 or 2, got ${maxTensors}`);
  const probe = await probeShapes(model, { shapes: options.shapes, spec: options.inputs, feeds: options.feeds });
  const index = indexGraph(model.graph!);
  const pool = [...index.dynamicTensors].filter((t) => index.producer.has(t) && !index.graphOutputs.includes(t) && probe.has(t));
  const found: CutShape[] = [];
  const singles = new Set<string>();
  for (const t of pool) {
    const verdict = analyzeCut(index, [t]);
    if (verdict.ok) {
      found.push(verdict.cut);
      singles.add(t);
    }
  }
  if (maxTensors === 2) {
    for (let a = 0; a < pool.length; a++) {
      for (let b = a + 1; b < pool.length; b++) {
        const verdict = analyzeCut(index, [pool[a], pool[b]]);
        if (verdict.ok) found.push(verdict.cut);
      }
    }
  }
  const position = new Map<string, number>();
  (model.graph!.node ?? []).forEach((n, i) => (n.output ?? []).forEach((o) => position.set(o, i)));
  return {
    cuts: found
      .map((cut) => describeCut(cut, probe))
      .sort(
        (x, y) =>
          Math.max(...x.tensors.map((t) => position.get(t)!)) - Math.max(...y.tensors.map((t) => position.get(t)!)) ||
          x.tensors.length - y.tensors.length,
      ),
    probe,
    index,
  };
}

export function describeCut(cut: CutShape, probe: ShapeProbe): CutCandidate {
  const tensorInfo = cut.tensors.map((name) => {
    const seen = probe.get(name);
    if (!seen) throw new TierwiseError('PARTITION_SHAPE_UNKNOWN', `no shape was observed for tensor ${name}`);
    return { name, elemType: seen.elemType, shape: seen.symbolic, bytes: seen.bytes };
  });
  const cutBytes = tensorInfo.reduce((s, t) => s + t.bytes, 0);
  const forwardedBytes = cut.forwardedInputs.reduce((s, name) => s + (probe.get(name)?.bytes ?? 0), 0);
  return {
    id: cut.tensors.join('+'),
    tensors: cut.tensors,
    tensorInfo,
    cutBytes,
    forwardedInputs: cut.forwardedInputs,
    forwardedBytes,
    transferBytes: cutBytes + forwardedBytes,
    headNodeCount: cut.headNodes.size,
    tailNodeCount: cut.tailNodes.size,
    headNodes: [...cut.headNodes].sort((a, b) => a - b),
    tailNodes: [...cut.tailNodes].sort((a, b) => a - b),
  };
}
