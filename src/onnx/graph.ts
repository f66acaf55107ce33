import { onnx, toNumber } from './model-io';
import type { Dim, ElementType, TensorSpec } from './io-spec';
import { elementTypeFromOnnx, makeTensor, onnxTypeFromElement, tensorDims, tensorToArray, type NumericArray } from './tensor';
import { TierwiseError } from '../common/errors';

type Graph = onnx.IGraphProto;
type Node = onnx.INodeProto;

/** Subgraphs held by a node's attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const attr of node.attribute ?? []) {
    if (attr.g) out.push(attr.g);
    for (const g of attr.graphs ?? []) out.push(g);
  }
  return out;
}

/** Visits `graph` and every nested subgraph, depth first; depth is bounded so a crafted model cannot recurse forever. */
export function forEachGraph(graph: Graph, visit: (g: Graph, depth: number) => void, depth = 0): void {
  if (depth > 64) throw new TierwiseError('MODEL_CORRUPT', 'subgraphs are nested more than 64 levels deep');
  visit(graph, depth);
  for (const node of graph.node ?? []) for (const sub of subgraphsOf(node)) forEachGraph(sub, visit, depth + 1);
}

/** Every node of the graph and of its subgraphs. */
export function allNodes(graph: Graph): Node[] {
  const nodes: Node[] = [];
  forEachGraph(graph, (g) => nodes.push(...(g.node ?? [])));
  return nodes;
}

export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out) map.set(out, node);
  return map;
}

export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const node of graph.node ?? []) {
    for (const name of nodeInputsWithImplicit(node)) {
      const list = map.get(name) ?? [];
      if (!list.includes(node)) list.push(node);
      map.set(name, list);
    }
  }
  return map;
}

/** A node's explicit inputs plus the outer-scope names its subgraphs read (what it really depends on). */
export function nodeInputsWithImplicit(node: Node): string[] {
  const names = (node.input ?? []).filter((n) => n !== '');
  for (const sub of subgraphsOf(node)) names.push(...outerScopeReads(sub));
  return names;
}

function outerScopeReads(graph: Graph): string[] {
  const defined = new Set<string>([...(graph.input ?? []).map((v) => v.name ?? ''), ...(graph.initializer ?? []).map((t) => t.name ?? '')]);
  for (const node of graph.node ?? []) for (const o of node.output ?? []) defined.add(o);
  const reads = new Set<string>();
  for (const node of graph.node ?? []) for (const n of nodeInputsWithImplicit(node)) if (n && !defined.has(n)) reads.add(n);
  return [...reads];
}

/** Nodes in an order where every producer precedes its consumers (Kahn; stable for already sorted graphs). */
export function topologicalOrder(graph: Graph): Node[] {
  const nodes = graph.node ?? [];
  const producerIndex = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producerIndex.set(o, i)));
  const pending = nodes.map(
    (n) =>
      new Set(
        nodeInputsWithImplicit(n)
          .map((x) => producerIndex.get(x))
          .filter((i): i is number => i !== undefined),
      ),
  );
  const dependants = nodes.map(() => [] as number[]);
  pending.forEach((deps, i) => deps.forEach((d) => dependants[d].push(i)));
  const ready = pending.map((d, i) => (d.size === 0 ? i : -1)).filter((i) => i >= 0);
  const order: Node[] = [];
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head];
    order.push(nodes[i]);
    for (const j of dependants[i]) {
      pending[j].delete(i);
      if (pending[j].size === 0) ready.push(j);
    }
  }
  if (order.length !== nodes.length) throw new TierwiseError('MODEL_CORRUPT', 'the graph has a cycle');
  return order;
}

export interface Weight {
  name: string;
  dims: number[];
  elemType: ElementType;
  data: NumericArray;
  source: 'initializer' | 'constant';
}

/** Reads a constant tensor by name, whether an initializer or the output of a Constant node holds it. */
export function findWeight(graph: Graph, name: string): Weight | undefined {
  const init = (graph.initializer ?? []).find((t) => t.name === name);
  if (init)
    return { name, dims: tensorDims(init), elemType: elementTypeFromOnnx(init.dataType), data: tensorToArray(init), source: 'initializer' };
  const node = (graph.node ?? []).find((n) => n.opType === 'Constant' && (n.output ?? [])[0] === name);
  const tensor = node ? constantNodeTensor(node) : undefined;
  if (!tensor) return undefined;
  return {
    name,
    dims: tensorDims(tensor),
    elemType: elementTypeFromOnnx(tensor.dataType),
    data: tensorToArray(tensor),
    source: 'constant',
  };
}

/** The tensor a Constant node emits, normalising value_float(s)/value_int(s) to a TensorProto. */
export function constantNodeTensor(node: Node): onnx.ITensorProto | undefined {
  for (const attr of node.attribute ?? []) {
    if (attr.name === 'value' && attr.t) return attr.t;
    if (attr.name === 'value_float') return makeTensor('', [], new Float32Array([attr.f ?? 0]));
    if (attr.name === 'value_floats') return makeTensor('', [attr.floats?.length ?? 0], Float32Array.from(attr.floats ?? []));
    if (attr.name === 'value_int') return makeTensor('', [], BigInt64Array.from([BigInt(String(attr.i ?? 0))]));
    if (attr.name === 'value_ints')
      return makeTensor('', [attr.ints?.length ?? 0], BigInt64Array.from((attr.ints ?? []).map((v) => BigInt(String(v)))));
  }
  return undefined;
}

/** Adds (or replaces) an initializer. */
export function setInitializer(graph: Graph, tensor: onnx.ITensorProto): void {
  graph.initializer ??= [];
  const at = graph.initializer.findIndex((t) => t.name === tensor.name);
  if (at >= 0) graph.initializer[at] = tensor;
  else graph.initializer.push(tensor);
}

export function removeInitializer(graph: Graph, name: string): void {
  graph.initializer = (graph.initializer ?? []).filter((t) => t.name !== name);
}

export function addNode(graph: Graph, node: onnx.INodeProto): onnx.NodeProto {
  const created = onnx.NodeProto.create(node);
  (graph.node ??= []).push(created);
  return created;
}

export function removeNodes(graph: Graph, doomed: Set<Node>): void {
  graph.node = (graph.node ?? []).filter((n) => !doomed.has(n));
}

/** Exposes a tensor as a graph output; without a type onnxruntime infers it (a wrong declared type would fail). */
export function addOutput(graph: Graph, name: string, elemType?: ElementType): void {
  graph.output ??= [];
  if (graph.output.some((o) => o.name === name)) return;
  const type = elemType ? { tensorType: { elemType: onnxTypeFromElement(elemType) } } : undefined;
  graph.output.push(onnx.ValueInfoProto.create({ name, type }));
}

export function removeOutput(graph: Graph, name: string): void {
  graph.output = (graph.output ?? []).filter((o) => o.name !== name);
}

/** Drops initializers and Constant nodes nobody reads any more (after a rewrite). */
export function pruneUnused(graph: Graph): void {
  const used = new Set<string>((graph.output ?? []).map((o) => o.name ?? ''));
  for (const node of graph.node ?? []) for (const n of nodeInputsWithImplicit(node)) used.add(n);
  graph.node = (graph.node ?? []).filter((n) => n.opType !== 'Constant' || used.has((n.output ?? [])[0] ?? ''));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name ?? ''));
}

/** A name no value, node or initializer in the graph uses yet. */
export function uniqueNamer(graph: Graph): (base: string) => string {
  const taken = new Set<string>();
  forEachGraph(graph, (g) => {
    for (const n of g.node ?? []) {
      taken.add(n.name ?? '');
      for (const o of n.output ?? []) taken.add(o);
    }
    for (const t of g.initializer ?? []) taken.add(t.name ?? '');
    for (const v of [...(g.input ?? []), ...(g.output ?? [])]) taken.add(v.name ?? '');
  });
  return (base) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
}

export function valueInfoToSpec(info: onnx.IValueInfoProto): TensorSpec {
  const tensorType = info.type?.tensorType;
  const dims = tensorType?.shape?.dim;
  return {
    name: info.name ?? '',
    elemType: elementTypeFromOnnx(tensorType?.elemType),
    shape: dims ? dims.map(dimOf) : null,
  };
}

function dimOf(d: onnx.TensorShapeProto.IDimension): Dim {
  if (d.dimParam) return d.dimParam;
  const value = toNumber(d.dimValue);
  return value > 0 || (d as { value?: string }).value === 'dimValue' ? value : null;
}

/** Graph inputs that are real inputs (old exporters list initializers among the inputs too). */
export function realInputs(graph: Graph): onnx.IValueInfoProto[] {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).filter((v) => !inits.has(v.name));
}

/** A graph and the graphs around it, innermost first: the scopes a subgraph's names resolve in. */
export interface ScopedGraph {
  graph: Graph;
  /** Enclosing graphs, innermost first (empty for the main graph). */
  outer: Graph[];
}

/** The main graph and every nested subgraph, each with its enclosing scopes; depth is bounded as in forEachGraph. */
export function scopedGraphs(graph: Graph): ScopedGraph[] {
  const out: ScopedGraph[] = [];
  const walk = (g: Graph, outer: Graph[]): void => {
    if (outer.length > 64) throw new TierwiseError('MODEL_CORRUPT', 'subgraphs are nested more than 64 levels deep');
    out.push({ graph: g, outer });
    for (const node of g.node ?? []) for (const sub of subgraphsOf(node)) walk(sub, [g, ...outer]);
  };
  walk(graph, []);
  return out;
}

/**
 * Reads a constant by name as a subgraph sees it: its own initializers and Constant nodes first, then the enclosing
 * graphs' (an input or node output of a nearer scope shadows an outer constant of the same name). Returns the graph
 * that holds it too.
 */
export function findScopedWeight(scope: ScopedGraph, name: string): (Weight & { holder: Graph }) | undefined {
  for (const g of [scope.graph, ...scope.outer]) {
    const w = findWeight(g, name);
    if (w) return { ...w, holder: g };
    if ((g.input ?? []).some((v) => v.name === name) || (g.node ?? []).some((n) => (n.output ?? []).includes(name))) return undefined;
  }
  return undefined;
}
