import { scenarioNetworkMs, type Link } from '../../benchmark/network';
import type { GraphIndex } from './graph-index';
import type { CutCandidate } from './cuts';

/** A node of onnxruntime's optimized graph and its tier-scaled mean time (the runner's `nodeTimes`). */
export interface ProfiledNode {
  node: string;
  opType: string;
  scaledMeanMs: number;
}

export interface NodeCosts {
  /** Per original node index, ms on the tier (fused nodes land on the original node they are named after). */
  perNode: Float64Array;
  /** Profiled time no original node could be named for (layout reorders, anonymous fusions); spread pro rata. */
  unattributedMs: number;
}

/**
 * Maps onnxruntime's optimized-graph node names back to the original graph: exact names, NCHWc nodes
 * (named after their output tensor + `_nchwc`), the casts it inserts to run an fp16 graph in fp32
 * (`InsertedPrecisionFreeCast_<tensor>`), `fused <name>`, QDQ fusions `<name>_token_<n>` and fusions named
 * `<name>/<Fusion>/`.
 */
export function attributeNodeTimes(index: GraphIndex, profiled: readonly ProfiledNode[]): NodeCosts {
  const byName = new Map<string, number>();
  index.nodes.forEach((n, i) => n.name && byName.set(n.name, i));
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  const perNode = new Float64Array(index.nodes.length);
  let unattributedMs = 0;
  for (const p of profiled) {
    const at = resolve(p.node, byName, index, names);
    if (at === undefined) unattributedMs += p.scaledMeanMs;
    else perNode[at] += p.scaledMeanMs;
  }
  return { perNode, unattributedMs };
}

function resolve(name: string, byName: Map<string, number>, index: GraphIndex, longestFirst: string[]): number | undefined {
  // QDQ fusions (DQ→Conv→Q becomes QLinearConv) keep the original node's name with a `_token_<n>` suffix.
  const plain = (name.startsWith('fused ') ? name.slice('fused '.length) : name).replace(/_token_\d+$/, '');
  if (byName.has(plain)) return byName.get(plain);
  // Nodes named after a tensor: NCHWc nodes (`<tensor>_nchwc`), casts onnxruntime inserts around fp16 nodes it runs
  // in fp32 (`InsertedPrecisionFreeCast_<tensor>`, also in front of `_nchwc`) and `<tensor>_cast<n>`.
  const tensor = plain.replace(/^InsertedPrecisionFreeCast_/, '').replace(/(_nchwc|_cast\d+)$/, '');
  if (tensor !== plain) {
    const producer = index.producer.get(tensor) ?? byName.get(tensor);
    if (producer !== undefined) return producer;
  }
  const prefix = longestFirst.find((candidate) => plain.startsWith(candidate + '/'));
  return prefix === undefined ? undefined : byName.get(prefix);
}

export interface TierCosts {
  tier: string;
  /** Whole-model warm p50 on the tier, ms (scaled). */
  p50Ms: number;
  costs: NodeCosts;
}

export interface CutEstimate {
  id: string;
  tensors: string[];
  transferBytes: number;
  headMs: number;
  tailMs: number;
  networkMs: number;
  e2eMs: number;
}

export interface PartitionRoute {
  from: string;
  to: string;
  links: Link[];
  origin: string;
  requestBytes: number;
  responseBytes: number;
}

/**
 * Head time = whole-model p50 on A × the head's share of A's profiled node time; tail likewise on B. Shares rather
 * than raw kernel sums keep the per-run overhead the profiler does not see inside the figures.
 */
export function estimateCut(cut: CutCandidate, a: TierCosts, b: TierCosts, route: PartitionRoute): CutEstimate {
  const headMs = a.p50Ms * share(a.costs, cut.headNodes);
  const tailMs = b.p50Ms * share(b.costs, cut.tailNodes);
  const networkMs = scenarioNetworkMs(
    { kind: 'partition', head: route.from, tail: route.to, cutBytes: cut.transferBytes },
    { requestBytes: route.requestBytes, responseBytes: route.responseBytes },
    route.links,
    route.origin,
  ).totalMs;
  return {
    id: cut.id,
    tensors: cut.tensors,
    transferBytes: cut.transferBytes,
    headMs,
    tailMs,
    networkMs,
    e2eMs: headMs + tailMs + networkMs,
  };
}

function share(costs: NodeCosts, nodes: readonly number[]): number {
  let total = 0;
  for (const t of costs.perNode) total += t;
  if (total <= 0) return nodes.length > 0 ? 1 : 0;
  let part = 0;
  for (const i of nodes) part += costs.perNode[i];
  return part / total;
}
