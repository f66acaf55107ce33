import { gzipSync } from 'node:zlib';
import { TierwiseError } from '../../common/errors';
import { floatArrayToHalf, halfArrayToFloat } from '../../onnx/float16';
import {
  cloneModel,
  findScopedWeight,
  makeTensor,
  onnx,
  saveModel,
  scopedGraphs,
  setInitializer,
  type GraphProto,
  type ModelProto,
  type ScopedGraph,
} from '../../onnx';

export type PruneScope = 'global' | 'per-layer';

export interface PruneOptions {
  /** Fraction of weight values to zero, in [0, 1). */
  sparsity: number;
  /** `global`: one magnitude threshold over all weights (as torch's global_unstructured); `per-layer`: each weight alone. */
  scope?: PruneScope;
}

export interface PrunedLayer {
  weight: string;
  node: string;
  opType: string;
  values: number;
  zeros: number;
  sparsity: number;
}

export interface PruneReport {
  scope: PruneScope;
  targetSparsity: number;
  /** Zeros / values over every pruned weight (zeros already there count). */
  realSparsity: number;
  values: number;
  zeros: number;
  layers: PrunedLayer[];
  skipped: Array<{ node: string; reason: string }>;
  size: { beforeBytes: number; afterBytes: number; gzipBeforeBytes: number; gzipAfterBytes: number };
}

interface WeightRef {
  name: string;
  node: string;
  opType: string;
  dims: number[];
  data: Float32Array;
  source: 'initializer' | 'constant';
  float16: boolean;
  /** The graph holding the weight (a subgraph's own, or an enclosing one's). */
  holder: GraphProto;
}

export function validateSparsity(sparsity: unknown): number {
  if (typeof sparsity !== 'number' || !Number.isFinite(sparsity) || sparsity < 0 || sparsity >= 1) {
    throw new TierwiseError('PRUNE_SPARSITY_INVALID', `sparsity must be a number in [0, 1), got ${JSON.stringify(sparsity)}`, { sparsity });
  }
  return sparsity;
}

/** Unstructured magnitude pruning of Conv/MatMul/Gemm weights (initializers or Constant nodes), no fine-tuning. */
export function pruneModel(model: ModelProto, options: PruneOptions): { model: ModelProto; report: PruneReport } {
  const sparsity = validateSparsity(options.sparsity);
  const scope = options.scope ?? 'global';
  if (scope !== 'global' && scope !== 'per-layer')
    throw new TierwiseError('PRUNE_SCOPE_INVALID', `scope must be global or per-layer, got ${JSON.stringify(scope)}`);
  const pruned = cloneModel(model);
  const { weights, skipped } = collectWeights(pruned.graph!);
  if (weights.length === 0)
    throw new TierwiseError(
      'PRUNE_NO_WEIGHTS',
      `the model has no float32/float16 Conv/MatMul/Gemm weight to prune${skipped.length ? ` (${skipped[0].reason})` : ''} (subgraphs included)`,
    );
  if (scope === 'global')
    zeroSmallest(
      weights.map((w) => w.data),
      sparsity,
    );
  else for (const w of weights) zeroSmallest([w.data], sparsity);
  for (const w of weights) writeBack(w);
  const layers = weights.map((w) => {
    const zeros = countZeros(w.data);
    return { weight: w.name, node: w.node, opType: w.opType, values: w.data.length, zeros, sparsity: zeros / w.data.length };
  });
  const values = layers.reduce((s, l) => s + l.values, 0);
  const zeros = layers.reduce((s, l) => s + l.zeros, 0);
  const before = saveModel(model);
  const after = saveModel(pruned);
  return {
    model: pruned,
    report: {
      scope,
      targetSparsity: sparsity,
      realSparsity: zeros / values,
      values,
      zeros,
      layers,
      skipped,
      size: {
        beforeBytes: before.byteLength,
        afterBytes: after.byteLength,
        gzipBeforeBytes: gzipSync(before).byteLength,
        gzipAfterBytes: gzipSync(after).byteLength,
      },
    },
  };
}

/** Conv/MatMul/Gemm weights of the graph and of its subgraphs (If branches, Loop bodies), each weight once. */
function collectWeights(graph: GraphProto): { weights: WeightRef[]; skipped: Array<{ node: string; reason: string }> } {
  const weights: WeightRef[] = [];
  const skipped: Array<{ node: string; reason: string }> = [];
  for (const scope of scopedGraphs(graph)) collectIn(scope, weights, skipped);
  return { weights, skipped };
}

function collectIn(scope: ScopedGraph, weights: WeightRef[], skipped: Array<{ node: string; reason: string }>): void {
  const graph = scope.graph;
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    if (op !== 'Conv' && op !== 'Gemm' && op !== 'MatMul') continue;
    const inputs = node.input ?? [];
    const candidates = op === 'MatMul' ? [inputs[1], inputs[0]] : [inputs[1]];
    const label = node.name || `${op}(${inputs.join(',')})`;
    const found = candidates
      .map((name) => (name ? (findScopedWeight(scope, name) ?? behindCast(scope, name)) : undefined))
      .find((w) => w !== undefined);
    if (!found) {
      const viaDq = candidates.some((name) => (graph.node ?? []).some((n) => n.opType === 'DequantizeLinear' && n.output?.[0] === name));
      if (viaDq) skipped.push({ node: label, reason: 'its weight is int8 behind a DequantizeLinear (prune before quantizing)' });
      continue;
    }
    if (found.elemType !== 'float32' && found.elemType !== 'float16') {
      skipped.push({ node: label, reason: `weight ${found.name} is ${found.elemType}, not float32 or float16` });
      continue;
    }
    // fp16 weights are pruned on their exact float values and written back as fp16 (zero is exact in both).
    const float16 = found.elemType === 'float16';
    const data = float16 ? halfArrayToFloat(found.data as Uint16Array) : (found.data as Float32Array);
    if (!weights.some((w) => w.name === found.name && w.holder === found.holder))
      weights.push({
        name: found.name,
        node: label,
        opType: op,
        dims: found.dims,
        data,
        source: found.source,
        float16,
        holder: found.holder,
      });
  }
}

/** A constant weight read through a Cast (fp16 weights cast to fp32 at run time): the constant is pruned. */
function behindCast(scope: ScopedGraph, name: string): ReturnType<typeof findScopedWeight> {
  const cast = (scope.graph.node ?? []).find((n) => n.opType === 'Cast' && n.output?.[0] === name);
  return cast?.input?.[0] ? findScopedWeight(scope, cast.input[0]) : undefined;
}

/** Zeros the `round(sparsity × n)` smallest magnitudes across `arrays` (ties at the threshold in array order). */
function zeroSmallest(arrays: Float32Array[], sparsity: number): void {
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const k = Math.round(sparsity * total);
  if (k === 0) return;
  const magnitudes = new Float32Array(total);
  let at = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) magnitudes[at++] = Math.abs(a[i]);
  magnitudes.sort();
  const threshold = magnitudes[k - 1];
  let below = 0;
  for (let i = 0; i < k; i++) if (magnitudes[i] < threshold) below++;
  let tiesLeft = k - below;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const m = Math.abs(a[i]);
      if (m < threshold) a[i] = 0;
      else if (m === threshold && tiesLeft > 0) {
        a[i] = 0;
        tiesLeft--;
      }
    }
  }
}

function countZeros(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) n++;
  return n;
}

function writeBack(w: WeightRef): void {
  const graph = w.holder;
  const tensor = w.float16 ? makeTensor(w.name, w.dims, floatArrayToHalf(w.data), 'float16') : makeTensor(w.name, w.dims, w.data);
  if (w.source === 'initializer') {
    setInitializer(graph, tensor);
    return;
  }
  const node = (graph.node ?? []).find((n) => n.opType === 'Constant' && n.output?.[0] === w.name)!;
  node.attribute = [onnx.AttributeProto.create({ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensor })];
}
