import type { ModelProto } from '../../onnx';
import { backwardSlice, indexGraph, isUpstream, type GraphIndex } from '../partition/graph-index';
import type { ShapeProbe } from '../partition/shape-probe';
import { graphCost, nodeCost } from './cost';

/** Ops a skip connection may pass through unchanged in value (QDQ fake-quant pairs, Identity). */
const TRANSPARENT = new Set(['QuantizeLinear', 'DequantizeLinear', 'Identity']);
const PROJECTIONS = new Set(['Conv', 'Gemm', 'MatMul']);

export interface ResidualBlock {
  /** The name of the Add that closes the block (its id for --skip). */
  id: string;
  output: string;
  /** The Add input that goes around the block. */
  skip: string;
  /** The Add input computed by the block. */
  branch: string;
  /** The tensor both paths start from. */
  entry: string;
  shortcut: 'identity' | 'projection';
  bypassable: boolean;
  reason?: string;
  nodes: string[];
  macs: number;
  params: number;
  macShare: number;
  paramShare: number;
}

/**
 * Residual blocks: an Add whose inputs are a branch and a skip of the output's own shape that starts where the
 * branch starts (broadcasting Adds, e.g. an attention mask, are not blocks). An identity skip (the entry itself,
 * possibly through Q/DQ) can stand in for the Add's output; a projection skip (a Conv/Gemm/MatMul on the entry)
 * exists because the block changes the shape, so that block is listed but not bypassable.
 */
export function findResidualBlocks(model: ModelProto, probe: ShapeProbe): ResidualBlock[] {
  const index = indexGraph(model.graph!);
  const total = graphCost(index, probe);
  const blocks: ResidualBlock[] = [];
  index.nodes.forEach((node, at) => {
    if (node.opType !== 'Add' || !index.dynamic[at]) return;
    const [x, y] = node.input ?? [];
    if (!x || !y || !index.dynamicTensors.has(x) || !index.dynamicTensors.has(y)) return;
    const found = classify(index, x, y) ?? classify(index, y, x);
    if (!found) return;
    const output = node.output![0];
    if (!sameDims(probe, found.skip, output)) return;
    const nodes = blockNodes(index, found.branch, found.entry, found.skipPath);
    const cost = nodes.reduce(
      (acc, i) => {
        const c = nodeCost(index, i, probe);
        return { macs: acc.macs + c.macs, params: acc.params + c.params };
      },
      { macs: 0, params: 0 },
    );
    const bypassable = found.shortcut === 'identity';
    blocks.push({
      id: node.name || `Add_${at}`,
      output,
      skip: found.skip,
      branch: found.branch,
      entry: found.entry,
      shortcut: found.shortcut,
      bypassable,
      ...(bypassable
        ? {}
        : { reason: 'projection shortcut: the block changes the shape of its input, so the input cannot stand in for the output' }),
      nodes: nodes.map((i) => index.nodes[i].name || `${index.nodes[i].opType}_${i}`),
      macs: cost.macs,
      params: cost.params,
      macShare: total.macs > 0 ? cost.macs / total.macs : 0,
      paramShare: total.params > 0 ? cost.params / total.params : 0,
    });
  });
  return blocks;
}

interface Classified {
  skip: string;
  branch: string;
  entry: string;
  shortcut: 'identity' | 'projection';
  skipPath: string[];
}

function classify(index: GraphIndex, skip: string, branch: string): Classified | undefined {
  const path = transparentPath(index, skip);
  const root = path.at(-1)!;
  if (root !== branch && isUpstream(index, root, branch) && !isUpstream(index, branch, root))
    return { skip, branch, entry: root, shortcut: 'identity', skipPath: path };
  const producer = index.producer.get(root);
  if (producer === undefined || !PROJECTIONS.has(index.nodes[producer].opType ?? '')) return undefined;
  const dynamicInputs = index.nodeInputs[producer].filter((n) => index.dynamicTensors.has(n));
  if (dynamicInputs.length !== 1) return undefined;
  const beforeProjection = transparentPath(index, dynamicInputs[0]);
  const entry = beforeProjection.at(-1)!;
  if (!isUpstream(index, entry, branch)) return undefined;
  return { skip, branch, entry, shortcut: 'projection', skipPath: [...path, ...beforeProjection] };
}

/** The tensor and its transparent ancestors, nearest first. */
function transparentPath(index: GraphIndex, tensor: string): string[] {
  const path = [tensor];
  for (
    let at = index.producer.get(tensor);
    at !== undefined && TRANSPARENT.has(index.nodes[at].opType ?? '');
    at = index.producer.get(path.at(-1)!)
  ) {
    const next = index.nodeInputs[at].find((n) => index.dynamicTensors.has(n));
    if (!next) break;
    path.push(next);
  }
  return path;
}

/** Nodes computing `branch` from `entry`: ancestors of the branch that descend from the entry (shared mask logic excluded). */
function blockNodes(index: GraphIndex, branch: string, entry: string, skipPath: string[]): number[] {
  const slice = backwardSlice(index, [branch], new Set([entry, ...skipPath.filter((t) => t !== branch)]));
  return [...slice]
    .filter((i) => index.dynamic[i] && index.nodeInputs[i].some((n) => n === entry || isUpstream(index, entry, n)))
    .sort((a, b) => a - b);
}

function sameDims(probe: ShapeProbe, a: string, b: string): boolean {
  const x = probe.get(a)?.dims;
  const y = probe.get(b)?.dims;
  return !!x && !!y && x.length === y.length && x.every((d, i) => d === y[i]);
}
