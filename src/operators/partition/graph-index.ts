import { nodeInputsWithImplicit, realInputs, type GraphProto, type NodeProto } from '../../onnx';

/**
 * A read-only index of a top-level graph for slicing: who produces and who reads each tensor, and which nodes
 * depend on a graph input ("dynamic") as opposed to constant-only chains (Constant nodes, DequantizeLinear of an
 * int8 weight, shape arithmetic on constants) that may be copied into both halves of a partition freely.
 */
export interface GraphIndex {
  graph: GraphProto;
  nodes: NodeProto[];
  /** Each node's inputs, including the outer-scope names its subgraphs read. */
  nodeInputs: string[][];
  producer: Map<string, number>;
  consumers: Map<string, number[]>;
  graphInputs: Set<string>;
  graphOutputs: string[];
  dynamic: boolean[];
  /** Tensors computed from a graph input (top level only). */
  dynamicTensors: Set<string>;
}

export function indexGraph(graph: GraphProto): GraphIndex {
  const nodes = graph.node ?? [];
  const nodeInputs = nodes.map((n) => nodeInputsWithImplicit(n));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const consumers = new Map<string, number[]>();
  nodeInputs.forEach((inputs, i) => {
    for (const name of new Set(inputs)) consumers.set(name, [...(consumers.get(name) ?? []), i]);
  });
  const graphInputs = new Set(realInputs(graph).map((v) => v.name ?? ''));
  const dynamicTensors = new Set(graphInputs);
  const dynamic = nodes.map(() => false);
  for (const i of topologicalIndices(nodes.length, nodeInputs, producer)) {
    if (nodeInputs[i].some((name) => dynamicTensors.has(name))) {
      dynamic[i] = true;
      for (const o of nodes[i].output ?? []) if (o) dynamicTensors.add(o);
    }
  }
  return {
    graph,
    nodes,
    nodeInputs,
    producer,
    consumers,
    graphInputs,
    graphOutputs: (graph.output ?? []).map((o) => o.name ?? ''),
    dynamic,
    dynamicTensors,
  };
}

function topologicalIndices(count: number, nodeInputs: string[][], producer: Map<string, number>): number[] {
  const pending = nodeInputs.map((inputs) => new Set(inputs.map((x) => producer.get(x)).filter((i): i is number => i !== undefined)));
  const dependants: number[][] = pending.map(() => []);
  pending.forEach((deps, i) => deps.forEach((d) => dependants[d].push(i)));
  const order = pending.map((d, i) => (d.size === 0 ? i : -1)).filter((i) => i >= 0);
  for (let head = 0; head < order.length; head++) {
    for (const j of dependants[order[head]]) {
      pending[j].delete(order[head]);
      if (pending[j].size === 0) order.push(j);
    }
  }
  return order.length === count ? order : [...order, ...Array.from({ length: count }, (_, i) => i).filter((i) => !order.includes(i))];
}

/** Indices of the nodes needed to compute `targets`, walking back until a name in `stopAt` (or a graph input). */
export function backwardSlice(index: GraphIndex, targets: Iterable<string>, stopAt: ReadonlySet<string>): Set<number> {
  const visited = new Uint8Array(index.nodes.length);
  const stack: number[] = [];
  const enter = (name: string): void => {
    if (stopAt.has(name)) return;
    const at = index.producer.get(name);
    if (at !== undefined && !visited[at]) {
      visited[at] = 1;
      stack.push(at);
    }
  };
  for (const name of targets) enter(name);
  const nodes = new Set<number>();
  while (stack.length > 0) {
    const at = stack.pop()!;
    nodes.add(at);
    for (const name of index.nodeInputs[at]) enter(name);
  }
  return nodes;
}

/** Graph inputs read by the given nodes. */
export function graphInputsRead(index: GraphIndex, nodes: Iterable<number>): string[] {
  const read = new Set<string>();
  for (const i of nodes) for (const name of index.nodeInputs[i]) if (index.graphInputs.has(name)) read.add(name);
  return [...read];
}

/** Whether `ancestor` is computed on the way to `tensor` (or is `tensor`). */
export function isUpstream(index: GraphIndex, ancestor: string, tensor: string): boolean {
  if (ancestor === tensor) return true;
  const stack = [tensor];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const at = index.producer.get(name);
    if (at === undefined) continue;
    for (const input of index.nodeInputs[at]) {
      if (input === ancestor) return true;
      stack.push(input);
    }
  }
  return false;
}
