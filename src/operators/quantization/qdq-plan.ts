import type { GraphProto, NodeProto } from '../../onnx/model-io';
import { consumers, findScopedWeight, findWeight, topologicalOrder } from '../../onnx/graph';

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

/** A MatMul of two computed tensors (attention's QK^T and AV), which int8 kernels can run when both inputs are quantized. */
export interface ActivationMatMul {
  node: NodeProto;
  name: string;
  inputs: [string, string];
  /**
   * A Div/Mul by a scalar constant right after it (attention's 1/sqrt(d)): folded into the first input's
   * dequantization scale, as onnxruntime folds it into FusedMatMul in fp32, instead of running as its own node.
   */
  scaledBy?: { node: NodeProto; factor: number };
}

export interface QdqPlan {
  weighted: WeightedNode[];
  activationMatMuls: ActivationMatMul[];
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

function isFloatConstantIn(graph: GraphProto, name: string, rank?: number, outer: GraphProto[] = []): boolean {
  const w = findScopedWeight({ graph, outer }, name);
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

/**
 * Conv/MatMul/Gemm nodes with constant float weights, in graph order; `exclude` holds node labels to keep fp32.
 * For a subgraph, `outer` holds the enclosing graphs (innermost first), whose constants it may read.
 */
export function findWeightedNodes(graph: GraphProto, exclude: ReadonlySet<string> = new Set(), outer: GraphProto[] = []): WeightedNode[] {
  const out: WeightedNode[] = [];
  const isFloatConstant = (name: string, rank?: number): boolean => isFloatConstantIn(graph, name, rank, outer);
  (graph.node ?? []).forEach((node, i) => {
    const name = outer.length > 0 && !node.name ? `${graph.name ?? 'subgraph'}/${nodeLabel(node, i)}` : nodeLabel(node, i);
    if (exclude.has(name)) return;
    const [a, w, b] = node.input ?? [];
    if (node.opType === 'Conv' && isFloatConstant(w)) {
      out.push({ node, name, activation: a, weight: w, bias: b && isFloatConstant(b, 1) ? b : undefined, channelAxis: 0 });
    } else if (node.opType === 'MatMul' && isFloatConstant(w, 2)) {
      out.push({ node, name, activation: a, weight: w, channelAxis: 1 });
    } else if (node.opType === 'Gemm' && isFloatConstant(w, 2) && attrInt(node, 'transA', 0) === 0) {
      const plainBias = attrFloat(node, 'alpha', 1) === 1 && attrFloat(node, 'beta', 1) === 1 && b && isFloatConstant(b, 1);
      out.push({
        node,
        name,
        activation: a,
        weight: w,
        bias: plainBias ? b : undefined,
        channelAxis: attrInt(node, 'transB', 0) === 1 ? 0 : 1,
      });
    }
  });
  return out;
}

/** MatMuls whose two inputs are both computed at run time (neither is a constant), in graph order. */
export function findActivationMatMuls(graph: GraphProto, exclude: ReadonlySet<string> = new Set()): ActivationMatMul[] {
  const users = consumers(graph);
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const out: ActivationMatMul[] = [];
  (graph.node ?? []).forEach((node, i) => {
    const name = nodeLabel(node, i);
    const [a, b] = node.input ?? [];
    if (node.opType !== 'MatMul' || exclude.has(name) || !a || !b || findWeight(graph, a) || findWeight(graph, b)) return;
    out.push({ node, name, inputs: [a, b], scaledBy: scalarFollower(graph, users, graphOutputs, node) });
  });
  return out;
}

function scalarFollower(
  graph: GraphProto,
  users: Map<string, NodeProto[]>,
  graphOutputs: Set<string>,
  node: NodeProto,
): ActivationMatMul['scaledBy'] {
  const out = (node.output ?? [])[0];
  const next = users.get(out) ?? [];
  if (graphOutputs.has(out) || next.length !== 1 || (next[0].opType !== 'Div' && next[0].opType !== 'Mul')) return undefined;
  const [left, right] = next[0].input ?? [];
  const constantName = left === out ? right : next[0].opType === 'Mul' ? left : undefined;
  const constant = constantName ? findWeight(graph, constantName) : undefined;
  if (!constant || constant.elemType !== 'float32' || constant.data.length !== 1) return undefined;
  const value = Number(constant.data[0]);
  if (!Number.isFinite(value) || value === 0) return undefined;
  return { node: next[0], factor: next[0].opType === 'Div' ? 1 / value : value };
}

/**
 * Decides where QDQ pairs go, following what onnxruntime fuses: inputs of weighted nodes; Conv outputs (after a
 * following Relu/Clip, which a zero-point-at-floor Q absorbs) so DQ-Conv-Q becomes QLinearConv; residual Adds and
 * average pools whose inputs are already quantized (QLinearAdd, QLinearGlobalAveragePool); MatMul/Gemm outputs stay
 * float (MatMulIntegerToFloat / QGemm with float output), which keeps bias adds and residual streams exact.
 */
export function planQdq(graph: GraphProto, weighted: WeightedNode[], activationMatMuls: ActivationMatMul[] = []): QdqPlan {
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
  for (const m of activationMatMuls) m.inputs.forEach((x) => read(x, m.node));
  const weightedNodes = new Set([...weighted.map((w) => w.node), ...activationMatMuls.map((m) => m.node)]);
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
  return { weighted, activationMatMuls, activations: [...activations], readers, sharedRange };
}
