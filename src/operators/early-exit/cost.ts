import { findWeight } from '../../onnx';
import type { GraphIndex } from '../partition/graph-index';
import type { ShapeProbe } from '../partition/shape-probe';

export interface Cost {
  macs: number;
  params: number;
}

const count = (dims: readonly number[] | undefined): number => (dims ?? []).reduce((a, b) => a * b, 1);

function dimsOf(index: GraphIndex, probe: ShapeProbe, name: string): number[] | undefined {
  return probe.get(name)?.dims ?? findWeight(index.graph, name)?.dims;
}

/**
 * Multiply-accumulates of one node at the probed shapes (Conv, MatMul, Gemm; other ops count 0) and the values of
 * its constant inputs (weights, biases; DequantizeLinear'd int8 weights count by their shape).
 */
export function nodeCost(index: GraphIndex, at: number, probe: ShapeProbe): Cost {
  const node = index.nodes[at];
  const inputs = node.input ?? [];
  const out = probe.get(node.output?.[0] ?? '')?.dims;
  let macs = 0;
  if (node.opType === 'Conv') {
    const w = dimsOf(index, probe, inputs[1]);
    if (w && out) macs = count(out) * count(w.slice(1));
  } else if (node.opType === 'MatMul') {
    const a = dimsOf(index, probe, inputs[0]);
    if (a && out) macs = count(out) * (a.at(-1) ?? 1);
  } else if (node.opType === 'Gemm') {
    const a = dimsOf(index, probe, inputs[0]);
    const transA = (node.attribute ?? []).some((x) => x.name === 'transA' && Number(x.i) === 1);
    if (a && out) macs = count(out) * (transA ? a[0] : a[1]);
  }
  let params = 0;
  for (const name of inputs) if (name && !index.dynamicTensors.has(name)) params += count(dimsOf(index, probe, name));
  return { macs, params };
}

export function graphCost(index: GraphIndex, probe: ShapeProbe): Cost {
  let macs = 0;
  let params = 0;
  index.nodes.forEach((_, i) => {
    if (!index.dynamic[i]) return;
    const c = nodeCost(index, i, probe);
    macs += c.macs;
    params += c.params;
  });
  return { macs, params };
}
