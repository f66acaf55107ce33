import type { GraphProto, NodeProto } from '../../onnx/model-io';
import { consumers, findWeight, topologicalOrder } from '../../onnx/graph';

/** A Conv/MatMul/Gemm whose weight is a float constant: the nodes int8 kernels speed up. */
export interface WeightedNode {
  node: NodeProto;
  name: string;
  activation: string;
  weight: string;
  bias?: string;
  /** Output channel axis of the weight tensor. */
  channelAxis: number;
}

export interface QdqPlan {
  weighted: WeightedNode[];
  /** Activation tensors that get a QuantizeLinear/DequantizeLinear pair. */
  activations: string[];
  /** Which consumer nodes read the dequantized copy of each activation. */
  readers: Map<string, Set<NodeProto>>;
  /** Data-movement outputs that must reuse their input's scale so onnxruntime can drop the pair. */
  sharedRange: Map<string, string>;
}

const ABSORBED_ACTIVATIONS = new Set(['Relu', 'Clip']);
const RANGE_PRESERVING = new Set(['Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool']);
const POOLS = new Set(['GlobalAveragePool', 'AveragePool']);

export function nodeLabel(node: NodeProto, index: number): string {
  return node.name || `${node.opType}_${index}`;
}

function isFloatConstant(graph: GraphProto, name: string, rank?: number): boolean {
  const w = findWeight(graph, name);
  return !!w && w.elemType === 'float32' && (rank === undefined || w.dims.length === rank);
}

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a ? Number(a.i ?? fallback) : fallback;
}
function attrFloat(node: NodeProto, name: string, fallback: number): number {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a ? Number(a.f ?? fallback) : fallback;
}

/** Conv/MatMul/Gemm nodes with constant float weights, in graph order; `exclude` holds node labels to keep fp32. */
export function findWeightedNodes(graph: GraphProto, exclude: ReadonlySet<string> = new Set()): WeightedNode[] {
  const out: WeightedNode[] = [];
  (graph.node ?? []).forEach((node, i) => {
    const name = nodeLabel(node, i);
    if (exclude.has(name)) return;
    const [a, w, b] = node.input ?? [];
    if (node.opType === 'Conv' && isFloatConstant(graph, w)) {
      out.push({ node, name, activation: a, weight: w, bias: b && isFloatConstant(graph, b, 1) ? b : undefined, channelAxis: 0 });
    } else if (node.opType === 'MatMul' && isFloatConstant(graph, w, 2)) {
      out.push({ node, name, activation: a, weight: w, channelAxis: 1 });
    } else if (node.opType === 'Gemm' && isFloatConstant(graph, w, 2) && attrInt(node, 'transA', 0) === 0) {
      const plainBias = attrFloat(node, 'alpha', 1) === 1 && attrFloat(node, 'beta', 1) === 1 && b && isFloatConstant(graph, b, 1);
      out.push({ node, name, activation: a, weight: w, bias: plainBias ? b : undefined, channelAxis: attrInt(node, 'transB', 0) === 1 ? 0 : 1 });
    }
  });
  return out;
}

/**
 * Decides where QDQ pairs go, following what onnxruntime fuses: inputs of weighted nodes; Conv outputs (after a
 * following Relu/Clip, which a zero-point-at-floor Q absorbs) so DQ-Conv-Q becomes QLinearConv; residual Adds and
 * average pools whose inputs are already quantized (QLinearAdd, QLinearGlobalAveragePool); MatMul/Gemm outputs stay
 * float (MatMulIntegerToFloat / QGemm with float output), which keeps bias adds and residual streams exact.
 */
export function planQdq(graph: GraphProto, weighted: WeightedNode[]): QdqPlan {
  const users = consumers(graph);
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const activations = new Set<string>();
  const readers = new Map<string, Set<NodeProto>>();
  const sharedRange = new Map<string, string>();
  const read = (tensor: string, node: NodeProto): void => {
    activations.add(tensor);
    (readers.get(tensor) ?? readers.set(tensor, new Set()).get(tensor)!).add(node);
  };
  const settledOutput = (node: NodeProto): string => {
    const out = (node.output ?? [])[0];
    const next = users.get(out) ?? [];
    if (next.length === 1 && ABSORBED_ACTIVATIONS.has(next[0].opType ?? '') && !graphOutputs.has(out)) return (next[0].output ?? [])[0];
    return out;
  };
  const markOutput = (node: NodeProto): void => {
    const out = settledOutput(node);
    activations.add(out);
    readers.set(out, new Set(users.get(out) ?? []));
  };
  for (const w of weighted) {
    read(w.activation, w.node);
    if (w.node.opType === 'Conv') markOutput(w.node);
  }
  const weightedNodes = new Set(weighted.map((w) => w.node));
  for (const node of topologicalOrder(graph)) {
    if (weightedNodes.has(node)) continue;
    const inputs = (node.input ?? []).filter((x) => x !== '');
    const op = node.opType ?? '';
    const allQuantized = inputs.length > 0 && inputs.every((x) => activations.has(x));
    if (op === 'Add' && inputs.length === 2 && allQuantized) {
      inputs.forEach((x) => read(x, node));
      markOutput(node);
    } else if (POOLS.has(op) && allQuantized) {
      read(inputs[0], node);
      markOutput(node);
    } else if (RANGE_PRESERVING.has(op) && activations.has(inputs[0]) && activations.has((node.output ?? [])[0])) {
      read(inputs[0], node);
      sharedRange.set((node.output ?? [])[0], inputs[0]);
    }
  }
  return { weighted, activations: [...activations], readers, sharedRange };
}
