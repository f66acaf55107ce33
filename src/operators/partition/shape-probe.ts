import { TierwiseError } from '../../common/errors';
import type { InputTensor } from '../../onnx/io-spec';
import {
  addOutput,
  cloneModel,
  declaredSpecs,
  openSession,
  realInputs,
  saveModel,
  toFeeds,
  valueInfoToSpec,
  type Dim,
  type ElementType,
  type ModelProto,
} from '../../onnx';
import { mergeSpecs, resolveInputs, type InputSpec } from '../../onnx/input-spec';
import { engineSampleInputs, samplesOf, type EngineInputOptions } from '../sample-inputs';

/**
 * What a probe runs the model at: `feeds` (real samples, or what an engine verifies with), else inputs from `spec`
 * through the one input resolver (a symbolic dim nobody gave is INPUT_SPEC_REQUIRED, never 1). `shapes` is short
 * for a spec of whole shapes. The second run (to tell which dims follow the input's symbolic dims) changes every
 * symbolic input dim and keeps each input's fill (a sample rate stays 16000, a state stays zeros).
 */
export interface ProbeInputs {
  feeds?: Record<string, InputTensor>;
  spec?: InputSpec;
  shapes?: Record<string, number[]>;
  /** How `spec` is resolved; by default as a study does (a leading batch-named dim left open is 1, the one assumption). The CLI resolves strictly and passes `feeds`. */
  resolve?: EngineInputOptions;
}

/** The spec a probe resolves: `spec` with `shapes` folded in (the spec wins). */
export function probeSpec(at: ProbeInputs): InputSpec {
  const shapes = at.shapes ?? {};
  return mergeSpecs({ inputs: Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { shape }])) }, at.spec);
}

export interface ProbedTensor {
  elemType: ElementType;
  /** Dims in the probing run (at the inputs it was given: never 1 for a dim nobody gave). */
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
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
};

export function bytesOf(elemType: ElementType, dims: readonly number[]): number {
  return (BYTES[elemType] ?? 4) * dims.reduce((a, b) => a * b, 1);
}

/**
 * Type, shape and byte size of every top-level tensor, observed by running the model (with all intermediates
 * exposed) at `at` (ProbeInputs); a second run with every symbolic input dim changed reveals which dims follow it.
 */
export async function probeShapes(model: ModelProto, at: ProbeInputs = {}): Promise<ShapeProbe> {
  const inputs = realInputs(model.graph!).map(valueInfoToSpec);
  const named = [...Object.keys(at.shapes ?? {}), ...Object.keys(at.feeds ?? {})];
  const unknown = named.filter((name) => !inputs.some((i) => i.name === name));
  if (unknown.length > 0)
    throw new TierwiseError(
      'SHAPE_INVALID',
      `shapes name ${unknown.join(', ')}, not inputs of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`,
    );
  const spec = probeSpec(at);
  const resolve: EngineInputOptions = { assumeBatch: true, ...at.resolve };
  const firstFeeds = at.feeds ?? engineSampleInputs(model, spec, 1, resolve)[0]!;
  for (const input of inputs) {
    const given = firstFeeds[input.name];
    if (!given) throw new TierwiseError('SHAPE_INVALID', `the probe has no value for input ${input.name}`);
    if (input.shape && given.dims.length !== input.shape.length)
      throw new TierwiseError(
        'SHAPE_INVALID',
        `shape for ${input.name} has ${given.dims.length} dims, the model declares ${input.shape.length}`,
      );
  }
  // The second run: every symbolic input dim moved to a value of its own, each input keeping its fill.
  const symbols = new Map<string, { first: number; second: number }>();
  for (const input of inputs) {
    (input.shape ?? []).forEach((d, k) => {
      if (typeof d !== 'string' || d === '' || symbols.has(d)) return;
      const first = firstFeeds[input.name]!.dims[k]!;
      symbols.set(d, { first, second: first + 1 + symbols.size });
    });
  }
  const secondFeeds = (): Record<string, InputTensor> | undefined => {
    const moved = inputs.filter((i) => (i.shape ?? []).some((d) => typeof d === 'string' && d !== ''));
    const shapes = mergeSpecs(spec, {
      inputs: Object.fromEntries(
        moved.map((i) => [
          i.name,
          { shape: i.shape!.map((d, k) => (typeof d === 'string' && d !== '' ? symbols.get(d)!.second : firstFeeds[i.name]!.dims[k]!)) },
        ]),
      ),
    });
    try {
      const synthetic = samplesOf(resolveInputs(moved, shapes, { ...resolve, strictNames: false }), 1, resolve.seed)[0]!;
      return { ...firstFeeds, ...synthetic };
    } catch {
      return undefined;
    }
  };
  const first = await runAll(model, firstFeeds).catch((error: unknown) => {
    const at = Object.entries(firstFeeds)
      .map(([n, t]) => `${n}: ${t.type}[${t.dims}]`)
      .join(', ');
    throw new TierwiseError(
      'MODEL_RUN_FAILED',
      `the model fails on the probe inputs (${at}): ${error instanceof Error ? error.message : String(error)}; give the input shapes and values it needs (--shape <input>=d0,d1,…, --dims <name>=<n>, --fill <input>=<value>; "inputs" in a study)`,
    );
  });
  const moved = symbols.size > 0 ? secondFeeds() : undefined;
  const second = moved ? await runAll(model, moved).catch(() => undefined) : undefined;
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

/** Bytes of exposed activations one probe run may hold (onnxruntime keeps every graph output alive to the end). */
const PROBE_RUN_BYTES = 2 ** 31;

/**
 * Every top-level tensor's type and dims, by running the model with the intermediates exposed as outputs. A big
 * model at a big input (a 1024² U-Net keeps gigabytes of activations) is probed in several runs, each exposing a
 * contiguous share of the nodes, so the probe's memory stays near one run's rather than the sum of all activations.
 * The share count is a rough estimate: input bytes × nodes / 4 (activations shrink along most networks) per 2 GiB.
 */
async function runAll(
  model: ModelProto,
  feeds: Record<string, InputTensor>,
): Promise<Map<string, { elemType: ElementType; dims: number[] }>> {
  const nodes = model.graph!.node ?? [];
  const inputBytes = Object.values(feeds).reduce((sum, t) => sum + t.data.byteLength, 0);
  const runs = Math.min(16, Math.max(1, Math.ceil((inputBytes * nodes.length) / 4 / PROBE_RUN_BYTES)));
  const names = nodes.flatMap((n) => (n.output ?? []).filter(Boolean) as string[]);
  const per = Math.ceil(names.length / runs);
  const out = new Map<string, { elemType: ElementType; dims: number[] }>();
  for (let r = 0; r < runs; r++) {
    const probe = cloneModel(model);
    const graph = probe.graph!;
    for (const name of names.slice(r * per, (r + 1) * per)) addOutput(graph, name);
    const session = await openSession(saveModel(probe), { optimization: 'disabled', threads: 1 });
    try {
      const results = await session.run(toFeeds(feeds));
      for (const [name, value] of Object.entries(results)) out.set(name, { elemType: value.type as ElementType, dims: [...value.dims] });
    } finally {
      await session.release();
    }
  }
  for (const [name, t] of Object.entries(feeds)) out.set(name, { elemType: t.type, dims: t.dims });
  return out;
}
