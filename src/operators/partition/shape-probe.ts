import { TierwiseError } from '../../common/errors';
import type { InputTensor } from '../../onnx/io-spec';
import {
  addOutput, cloneModel, declaredSpecs, openSession, realInputs, saveModel, toFeeds, valueInfoToSpec,
  type Dim, type ElementType, type ModelProto,
} from '../../onnx';

export interface ProbedTensor {
  elemType: ElementType;
  /** Dims in the probing run (the shapes asked for; symbolic input dims default to 1). */
  dims: number[];
  /**
   * Dims as the graph should declare them. In a model with symbolic input dims, a dim that follows one carries its
   * name. When a non-leading input dim is symbolic (spatial, sequence), any other dim is fixed only where the original graph declares it fixed (its value_info, inputs, outputs),
   * else unknown (null): a dim that stayed the same over two probe runs may still depend on the input size (an
   * H/32 grid is 1 at H = 1 and at H = 2), and writing it fixed would make the tail reject real sizes.
   */
  symbolic: Dim[];
  bytes: number;
}

export type ShapeProbe = Map<string, ProbedTensor>;

const BYTES: Partial<Record<ElementType, number>> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int8: 1, uint8: 1, bool: 1, int16: 2, uint16: 2,
  int32: 4, uint32: 4, int64: 8, uint64: 8,
};

export function bytesOf(elemType: ElementType, dims: readonly number[]): number {
  return (BYTES[elemType] ?? 4) * dims.reduce((a, b) => a * b, 1);
}

/**
 * Type, shape and byte size of every top-level tensor, observed by running the model (with all intermediates
 * exposed) at `shapes`; a second run with every symbolic input dim changed reveals which dims follow it.
 */
export async function probeShapes(model: ModelProto, shapes: Record<string, number[]> = {}): Promise<ShapeProbe> {
  const inputs = realInputs(model.graph!).map(valueInfoToSpec);
  const unknown = Object.keys(shapes).filter((name) => !inputs.some((i) => i.name === name));
  if (unknown.length > 0) throw new TierwiseError('SHAPE_INVALID', `shapes name ${unknown.join(', ')}, not inputs of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`);
  const symbols = new Map<string, { first: number; second: number }>();
  const feedsAt = (pass: 0 | 1): Record<string, InputTensor> => Object.fromEntries(inputs.map((spec) => {
    const declared = spec.shape ?? [];
    const given = shapes[spec.name];
    if (given && given.length !== declared.length) throw new TierwiseError('SHAPE_INVALID', `shape for ${spec.name} has ${given.length} dims, the model declares ${declared.length}`);
    const dims = declared.map((d, k) => {
      if (typeof d === 'number' && d > 0) return d;
      const first = given?.[k] ?? 1;
      if (typeof d === 'string' && !symbols.has(d)) symbols.set(d, { first, second: first + 1 + symbols.size });
      return pass === 0 ? first : typeof d === 'string' ? symbols.get(d)!.second : first;
    });
    return [spec.name, filled(spec.elemType, dims)];
  }));
  const firstFeeds = feedsAt(0);
  const first = await runAll(model, firstFeeds).catch((error: unknown) => {
    const at = Object.entries(firstFeeds).map(([n, t]) => `${n}: ${t.type}[${t.dims}]`).join(', ');
    throw new TierwiseError('MODEL_RUN_FAILED', `the model fails on the probe inputs (${at}; symbolic dims without a given shape are 1): ${error instanceof Error ? error.message : String(error)}; give the input shapes (--shape <input>=d0,d1,... or --dim <name>=<size>)`);
  });
  const second = symbols.size > 0 ? await runAll(model, feedsAt(1)).catch(() => undefined) : undefined;
  const probe: ShapeProbe = new Map();
  const declared = declaredSpecs(model);
  // Only a leading (batch) dim symbolic: no op downsamples along it, so a dim that stayed put is fixed.
  const dynamic = inputs.some((i) => !i.shape || i.shape.some((d, k) => k > 0 && (typeof d !== 'number' || d <= 0)));
  for (const [name, { elemType, dims }] of first) {
    const other = second?.get(name)?.dims;
    const known = declared.get(name)?.shape;
    const symbolic: Dim[] = dims.map((d, k) => {
      const fixed = known && known.length === dims.length && typeof known[k] === 'number' && known[k] === d;
      if (other && other.length === dims.length && other[k] !== d) {
        for (const [symbol, run] of symbols) if (run.first === d && run.second === other[k]) return symbol;
        return null;
      }
      if (other && other.length === dims.length && typeof known?.[k] === 'string') return known[k];
      return !dynamic || fixed ? d : null;
    });
    probe.set(name, { elemType, dims, symbolic, bytes: bytesOf(elemType, dims) });
  }
  return probe;
}

function filled(type: ElementType, dims: number[]): InputTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  if (type === 'int64') return { type, dims, data: new BigInt64Array(n) };
  if (type === 'int32') return { type, dims, data: new Int32Array(n) };
  if (type === 'uint8' || type === 'bool') return { type, dims, data: new Uint8Array(n) };
  if (type === 'int8') return { type, dims, data: new Int8Array(n) };
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37);
  return { type: 'float32', dims, data };
}

async function runAll(model: ModelProto, feeds: Record<string, InputTensor>): Promise<Map<string, { elemType: ElementType; dims: number[] }>> {
  const probe = cloneModel(model);
  const graph = probe.graph!;
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out) addOutput(graph, out);
  const session = await openSession(saveModel(probe), { optimization: 'disabled', threads: 1 });
  try {
    const results = await session.run(toFeeds(feeds));
    const out = new Map<string, { elemType: ElementType; dims: number[] }>();
    for (const [name, value] of Object.entries(results)) out.set(name, { elemType: value.type as ElementType, dims: [...value.dims] });
    for (const [name, t] of Object.entries(feeds)) out.set(name, { elemType: t.type, dims: t.dims });
    return out;
  } finally {
    await session.release();
  }
}
