import { z } from 'zod';
import { TierwiseError } from '../common/errors';
import type { Dim, ElementType, TensorSpec } from './io-spec';

/**
 * The input spec: how to build a model's inputs when no dataset gives them. JSON:
 *
 *   {
 *     "dims":   { "batch": 1, "height": 640, "width": 640 },          // symbolic dims shared by every input
 *     "inputs": {
 *       "x":     { "shape": [1, 3, 640, 640] },                        // a whole concrete shape, or
 *       "input": { "dims": { "sequence": 512 }, "fill": "random-normal" }, // dims for this input only
 *       "sr":    { "value": 16000 },                                  // a constant (any shape)
 *       "ids":   { "fill": { "kind": "range", "lo": 0, "hi": 30522 } },   // integer ids in [lo, hi)
 *       "h":     { "fill": "zeros" }
 *     }
 *   }
 *
 * `fill`: "zeros" | "ones" | "random-normal" | "random-uniform" (= [-1, 1)) | {kind:"random-uniform", lo, hi}
 * | {kind:"random-normal", mean, std} | {kind:"range", lo, hi} (uniform integers in [lo, hi)) | {kind:"value", value};
 * `value: v` is short for fill {kind:"value", value: v}.
 *
 * Dimension resolution (per axis of the declared shape): a fixed dim is kept (a spec shape that disagrees is
 * INPUT_SPEC_INVALID); a symbolic dim takes the axis of the input's `shape` when given, then the input's own `dims`,
 * then the top-level `dims`, then the value another input's `shape` gives the same symbol; an unnamed unknown dim needs a `shape`. Anything left is INPUT_SPEC_REQUIRED (422) naming every
 * input and dimension, with the JSON to send. One assumption only, recorded next to every figure (`assumed`) and
 * refused with `assumeBatch: false`: a symbol that is axis 0 of some input and is named like a batch
 * (N, B, bs, batch, batch_size, batchsize, batches, num_batches; any case) is 1 when the spec does not give it.
 * Every other symbolic dim (H, W, sequence, samples, …) must be given: it is never set to 1.
 *
 * Default fills (when the spec gives none), recorded next to every figure:
 * - state inputs are zeros: a float input whose name, split at `_ . - / :` and digits, has a segment among
 *   state, states, h, c, hx, cx, hidden, cell, past, cache, memory (e.g. `h`, `c`, `state`, `h0`, `past_key_values.0`).
 *   Name-based only, never by shape, to stay conservative;
 * - other floats: random-uniform [-1, 1) (seeded, so outputs are reproducible);
 * - integer tensors of rank >= 1: a name with a `mask` segment gets ones, any other gets range [0, 1) (all 0: a
 *   valid index into any embedding). Integer *scalars* (rank 0: a sample rate, a count, a top-k) have no safe
 *   default: they are INPUT_SPEC_REQUIRED until the spec gives a value or fill;
 * - bool: ones (true).
 */
export type Fill =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'random-normal'; mean: number; std: number }
  | { kind: 'random-uniform'; lo: number; hi: number }
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'value'; value: number };

const finite = z.number().finite();
const dimValue = z
  .number()
  .int()
  .min(0)
  .max(1 << 30);
const fillSchema = z.union([
  z.enum(['zeros', 'ones', 'random-normal', 'random-uniform']),
  z.object({ kind: z.literal('zeros') }).strict(),
  z.object({ kind: z.literal('ones') }).strict(),
  z.object({ kind: z.literal('random-normal'), mean: finite.default(0), std: finite.min(0).default(1) }).strict(),
  z
    .object({ kind: z.literal('random-uniform'), lo: finite, hi: finite })
    .strict()
    .refine((f) => f.hi > f.lo, 'hi must be above lo'),
  z
    .object({ kind: z.literal('range'), lo: z.number().int(), hi: z.number().int() })
    .strict()
    .refine((f) => f.hi > f.lo, 'hi must be above lo'),
  z.object({ kind: z.literal('value'), value: finite }).strict(),
]);
const inputEntrySchema = z
  .object({
    shape: z.array(dimValue).max(32).optional(),
    dims: z.record(z.string().min(1), dimValue).optional(),
    fill: fillSchema.optional(),
    value: finite.optional(),
  })
  .strict()
  .refine((e) => !(e.fill !== undefined && e.value !== undefined), 'give fill or value, not both');
export const inputSpecSchema = z
  .object({
    dims: z.record(z.string().min(1), dimValue).optional(),
    inputs: z.record(z.string().min(1), inputEntrySchema).optional(),
  })
  .strict();

export type InputSpec = z.input<typeof inputSpecSchema>;
export type InputSpecEntry = NonNullable<InputSpec['inputs']>[string];

/** Validates a spec (an object, or JSON text); INPUT_SPEC_INVALID (400) names the offending path. */
export function parseInputSpec(raw: unknown, where = 'inputs'): InputSpec {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new TierwiseError('INPUT_SPEC_INVALID', `${where}: not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = inputSpecSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`);
    throw new TierwiseError(
      'INPUT_SPEC_INVALID',
      `${issues.join('; ')} (see the input spec: {"dims": {...}, "inputs": {"<name>": {"shape"|"dims"|"fill"|"value"}}})`,
      { issues },
    );
  }
  return value as InputSpec;
}

export function normalizeFill(fill: InputSpecEntry['fill'], value?: number): Fill | undefined {
  if (value !== undefined) return { kind: 'value', value };
  if (fill === undefined) return undefined;
  if (typeof fill === 'string') {
    if (fill === 'random-normal') return { kind: 'random-normal', mean: 0, std: 1 };
    if (fill === 'random-uniform') return { kind: 'random-uniform', lo: -1, hi: 1 };
    return { kind: fill };
  }
  if (fill.kind === 'random-normal') return { kind: 'random-normal', mean: fill.mean ?? 0, std: fill.std ?? 1 };
  return fill as Fill;
}

export function describeFill(fill: Fill): string {
  switch (fill.kind) {
    case 'zeros':
    case 'ones':
      return fill.kind;
    case 'random-normal':
      return `random-normal(${fill.mean}, ${fill.std})`;
    case 'random-uniform':
      return `random-uniform[${fill.lo}, ${fill.hi})`;
    case 'range':
      return `range[${fill.lo}, ${fill.hi})`;
    case 'value':
      return `value ${fill.value}`;
  }
}

/** An input the engine will synthesize: concrete shape, element type and fill, and where each came from. */
export interface ResolvedInput {
  name: string;
  type: ElementType;
  shape: number[];
  fill: Fill;
  /** 'spec' when the user chose the fill, otherwise the default rule that chose it. */
  fillSource: 'spec' | 'default' | 'default: state input' | 'default: mask';
  /** Assumptions the spec did not make, e.g. `N=1 (batch)`; empty when the spec gave everything. */
  assumed: string[];
}

/** What a figure records about the inputs it ran with: { name: { shape, type, fill } }. */
export type InputShapesRecord = Record<string, { shape: number[]; type: string; fill: string; assumed?: string[] }>;

export function recordOf(resolved: ResolvedInput[]): InputShapesRecord {
  return Object.fromEntries(
    resolved.map((r) => [
      r.name,
      {
        shape: r.shape,
        type: r.type,
        fill: r.fillSource === 'spec' ? describeFill(r.fill) : `${describeFill(r.fill)} (${r.fillSource})`,
        ...(r.assumed.length > 0 ? { assumed: r.assumed } : {}),
      },
    ]),
  );
}

/** A record for inputs that came from data (a dataset or a samples file): shape and type of the first sample. */
export function recordOfTensors(tensors: Record<string, { type: string; dims: readonly number[] }>, fill: string): InputShapesRecord {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { shape: [...t.dims], type: t.type, fill }]));
}

/** Short form for tables: `x 1×3×640×640 f32 random-uniform[-1, 1)`. */
export function formatInputShapes(record: InputShapesRecord | null | undefined): string {
  if (!record || Object.keys(record).length === 0) return 'inputs not recorded';
  return Object.entries(record)
    .map(
      ([name, r]) => `${name} [${r.shape.join(',')}] ${r.type} ${r.fill}${r.assumed?.length ? ` (assumed ${r.assumed.join(', ')})` : ''}`,
    )
    .join('; ');
}

const STATE_SEGMENTS = new Set(['state', 'states', 'h', 'c', 'hx', 'cx', 'hidden', 'cell', 'past', 'cache', 'memory']);
const segments = (name: string): string[] =>
  name
    .toLowerCase()
    .split(/[_.\-/:\d]+/)
    .filter(Boolean);
export const isStateInput = (name: string): boolean => segments(name).some((s) => STATE_SEGMENTS.has(s));
const isMaskInput = (name: string): boolean => segments(name).some((s) => s === 'mask' || s.endsWith('mask'));
const FLOAT = new Set(['float32', 'float16', 'float64', 'bfloat16']);
const INTEGER = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

export interface ResolveOptions {
  /** Spec names that are not model inputs are refused (default true). */
  strictNames?: boolean;
  /** A batch-named symbol at axis 0 that the spec leaves open is 1, recorded in `assumed` (default true). */
  assumeBatch?: boolean;
}

const BATCH_NAMES = /^(n|b|bs|batch|batch_?size|batchsize|batches|num_?batch(es)?)$/i;

/** INPUT_SPEC_INVALID when the spec names inputs the model does not have. */
export function checkSpecNames(io: readonly TensorSpec[], spec: InputSpec): void {
  const unknown = Object.keys(spec.inputs ?? {}).filter((name) => !io.some((i) => i.name === name));
  if (unknown.length > 0)
    throw new TierwiseError(
      'INPUT_SPEC_INVALID',
      `inputs: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a model input' : 'are not model inputs'} (the model's inputs: ${io.map((i) => i.name).join(', ')})`,
    );
}

interface Unresolved {
  input: string;
  type: string;
  declared: Dim[];
  axes: Array<{ axis: number; dim: Dim }>;
  needsValue: boolean;
}

const isFixed = (d: Dim): d is number => typeof d === 'number' && d > 0;
const isNamed = (d: Dim): d is string => typeof d === 'string' && d !== '';

/**
 * Concrete shapes and fills for `io` (the model's inputs, as describe / the registry / onnxruntime's metadata give
 * them) under `spec`. Throws INPUT_SPEC_INVALID (400) on a spec that contradicts the model, INPUT_SPEC_REQUIRED
 * (422) when a dimension or an integer scalar is still unknown: `details.unresolved` lists them and
 * `details.example` is the JSON to send (with `<int>` placeholders in the message).
 */
export function resolveInputs(io: readonly TensorSpec[], spec: InputSpec = {}, options: ResolveOptions = {}): ResolvedInput[] {
  const entries = spec.inputs ?? {};
  if (options.strictNames !== false) checkSpecNames(io, spec);
  // A symbol fixed by one input's given shape has that value everywhere (ONNX: the same name is the same size).
  const fromShapes: Record<string, { value: number; input: string }> = {};
  for (const input of io) {
    const given = entries[input.name]?.shape;
    if (!given || !input.shape || given.length !== input.shape.length) continue;
    input.shape.forEach((d, axis) => {
      if (!isNamed(d)) return;
      const seen = fromShapes[d];
      if (seen && seen.value !== given[axis])
        throw new TierwiseError(
          'INPUT_SPEC_INVALID',
          `dim "${d}" is ${seen.value} in inputs.${seen.input}.shape but ${given[axis]} in inputs.${input.name}.shape`,
        );
      fromShapes[d] = { value: given[axis]!, input: input.name };
    });
  }
  const assumedBatch = new Set<string>();
  if (options.assumeBatch !== false) {
    for (const input of io) {
      const d = input.shape?.[0] ?? null;
      if (
        isNamed(d) &&
        BATCH_NAMES.test(d) &&
        spec.dims?.[d] === undefined &&
        fromShapes[d] === undefined &&
        !io.some((i) =>
          i.shape?.some((x, axis) => x === d && (entries[i.name]?.shape?.[axis] !== undefined || entries[i.name]?.dims?.[d] !== undefined)),
        )
      )
        assumedBatch.add(d);
    }
  }
  const resolved: ResolvedInput[] = [];
  const unresolved: Unresolved[] = [];
  for (const input of io) {
    const entry = entries[input.name] ?? {};
    const declared = input.shape;
    let shape: Array<number | undefined>;
    if (declared === null) {
      shape = entry.shape ? [...entry.shape] : [undefined];
    } else {
      if (entry.shape && entry.shape.length !== declared.length) {
        throw new TierwiseError(
          'INPUT_SPEC_INVALID',
          `inputs.${input.name}.shape has ${entry.shape.length} dims, the model declares ${declared.length} ([${declared.map(showDim).join(',')}])`,
        );
      }
      shape = declared.map((d, axis) => {
        const given = entry.shape?.[axis];
        if (isFixed(d)) {
          if (given !== undefined && given !== d)
            throw new TierwiseError(
              'INPUT_SPEC_INVALID',
              `inputs.${input.name}.shape[${axis}] = ${given}, the model fixes that dim at ${d}`,
            );
          return d;
        }
        if (isNamed(d)) return given ?? entry.dims?.[d] ?? spec.dims?.[d] ?? fromShapes[d]?.value ?? (assumedBatch.has(d) ? 1 : undefined);
        return given;
      });
    }
    const fill = normalizeFill(entry.fill, entry.value);
    const type = input.elemType;
    const scalarInt = declared !== null && declared.length === 0 && INTEGER.has(type) && fill === undefined;
    const missing =
      declared === null
        ? entry.shape
          ? []
          : [{ axis: -1, dim: null as Dim }]
        : declared.map((dim, axis) => ({ axis, dim })).filter((_, axis) => shape[axis] === undefined);
    if (missing.length > 0 || scalarInt) {
      unresolved.push({ input: input.name, type, declared: declared ?? [], axes: missing, needsValue: scalarInt });
      continue;
    }
    if (type === 'string' || type === 'unknown')
      throw new TierwiseError(
        'INPUT_UNSUPPORTED',
        `input ${input.name}: element type ${type} cannot be synthesized; give samples (a dataset) instead`,
      );
    const chosen = fill ? { fill, source: 'spec' as const } : defaultFill(input.name, type);
    const assumed = [
      ...new Set(
        (declared ?? []).filter(
          (d, axis) => isNamed(d) && assumedBatch.has(d) && entry.shape?.[axis] === undefined && entry.dims?.[d] === undefined,
        ),
      ),
    ].map((d) => `${d}=1`);
    resolved.push({ name: input.name, type, shape: shape as number[], fill: chosen.fill, fillSource: chosen.source, assumed });
  }
  if (unresolved.length > 0) throw specRequired(unresolved, spec, options.assumeBatch !== false);
  return resolved;
}

function defaultFill(name: string, type: ElementType): { fill: Fill; source: ResolvedInput['fillSource'] } {
  if (FLOAT.has(type))
    return isStateInput(name)
      ? { fill: { kind: 'zeros' }, source: 'default: state input' }
      : { fill: { kind: 'random-uniform', lo: -1, hi: 1 }, source: 'default' };
  if (type === 'bool') return { fill: { kind: 'ones' }, source: 'default' };
  if (isMaskInput(name)) return { fill: { kind: 'ones' }, source: 'default: mask' };
  return { fill: { kind: 'range', lo: 0, hi: 1 }, source: 'default' };
}

const ASSUMED_NOTE = ' (a leading batch-named dim such as N or batch that the spec leaves open is taken as 1, and recorded as assumed)';

const showDim = (d: Dim): string => (d === null || d === '' || (typeof d === 'number' && d <= 0) ? '?' : String(d));

function specRequired(unresolved: Unresolved[], spec: InputSpec, batchAssumed: boolean): TierwiseError {
  const dims: Record<string, string> = { ...Object.fromEntries(Object.entries(spec.dims ?? {}).map(([k, v]) => [k, String(v)])) };
  const inputs: Record<string, Record<string, unknown>> = {};
  const lines: string[] = [];
  for (const u of unresolved) {
    const parts: string[] = [];
    const unnamed = u.axes.filter((a) => !isNamed(a.dim));
    for (const a of u.axes) {
      if (isNamed(a.dim)) {
        dims[a.dim] = '<int>';
        parts.push(`dim "${a.dim}" (axis ${a.axis})`);
      } else parts.push(a.axis < 0 ? 'its whole shape (the model declares none)' : `axis ${a.axis} (unnamed)`);
    }
    if (unnamed.length > 0) {
      const given = spec.inputs?.[u.input]?.shape;
      inputs[u.input] = {
        shape:
          u.axes[0]!.axis < 0
            ? '[<int>, ...]'
            : u.declared.map((d, axis) => (isFixed(d) ? d : (given?.[axis] ?? (isNamed(d) ? `<${d}>` : '<int>')))),
      };
    }
    if (u.needsValue) {
      parts.push('a value (an integer scalar: a rate, a count or an index has no safe default)');
      inputs[u.input] = { value: '<int>' };
    }
    lines.push(`input ${u.input} (${u.type} [${u.declared.map(showDim).join(',')}]): ${parts.join(', ')}`);
  }
  const example: Record<string, unknown> = {};
  if (Object.keys(dims).length > 0) example.dims = dims;
  if (Object.keys(inputs).length > 0) example.inputs = { ...(spec.inputs ?? {}), ...inputs };
  const json = JSON.stringify(example)
    .replace(/"<int>"/g, '<int>')
    .replace(/"<([^">]+)>"/g, '<$1>')
    .replace(/"\[<int>, \.\.\.\]"/g, '[<int>, ...]');
  return new TierwiseError(
    'INPUT_SPEC_REQUIRED',
    `the model's inputs are not fully specified and no engine guesses them: ${lines.join('; ')}${batchAssumed ? ASSUMED_NOTE : ''}. Send an input spec ("inputs" in the study; on the CLI --inputs '<json>', or --shape <input>=d0,d1,… / --dims <name>=<n>,… / --fill <input>=<fill>), replacing each <int>: ${json}`,
    {
      unresolved: unresolved.map((u) => ({
        input: u.input,
        type: u.type,
        declared: u.declared,
        dims: u.axes.map((a) => (isNamed(a.dim) ? a.dim : `axis ${a.axis}`)),
        needsValue: u.needsValue,
      })),
      example: json,
    },
  );
}

/** A tensor as plain data (same shape as datasets' InputTensor, plus Uint16Array for float16 bits). */
export interface SynthTensor {
  type: ElementType;
  dims: number[];
  data:
    | Float32Array
    | Float64Array
    | Uint16Array
    | BigInt64Array
    | BigUint64Array
    | Int32Array
    | Uint32Array
    | Int16Array
    | Uint8Array
    | Int8Array;
}

export const DEFAULT_SEED = 20240611;

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE 754 binary16 bits of `value`, round to nearest even (what onnxruntime's float16 tensors hold). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

type Ctor = new (n: number) => SynthTensor['data'];
const ARRAY: Partial<Record<ElementType, Ctor>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/**
 * The tensors for `resolved` (deterministic for a seed): float16 as Uint16Array bits, int64 as BigInt64Array,
 * bool as Uint8Array 0/1, scalars with dims []. Integer fills round toward the type's range.
 */
export function synthesize(resolved: readonly ResolvedInput[], seed = DEFAULT_SEED): Record<string, SynthTensor> {
  const random = rng(seed);
  const out: Record<string, SynthTensor> = {};
  for (const input of resolved) {
    const Ctor = ARRAY[input.type];
    if (!Ctor)
      throw new TierwiseError(
        'INPUT_UNSUPPORTED',
        `input ${input.name}: element type ${input.type} cannot be synthesized (float32/16/64, (u)int8/16/32/64, bool)`,
      );
    const count = input.shape.reduce((a, b) => a * b, 1);
    const data = new Ctor(count);
    const values = fillValues(input.fill, count, random, INTEGER.has(input.type) || input.type === 'bool');
    if (input.type === 'float16') for (let i = 0; i < count; i++) (data as Uint16Array)[i] = toFloat16Bits(values[i]!);
    else if (data instanceof BigInt64Array || data instanceof BigUint64Array)
      for (let i = 0; i < count; i++) data[i] = BigInt(Math.trunc(values[i]!));
    else if (input.type === 'bool') for (let i = 0; i < count; i++) (data as Uint8Array)[i] = values[i] ? 1 : 0;
    else (data as Float32Array).set(values);
    out[input.name] = { type: input.type, dims: [...input.shape], data };
  }
  return out;
}

function fillValues(fill: Fill, count: number, random: () => number, integral: boolean): Float64Array {
  const v = new Float64Array(count);
  switch (fill.kind) {
    case 'zeros':
      break;
    case 'ones':
      v.fill(1);
      break;
    case 'value':
      v.fill(fill.value);
      break;
    case 'random-uniform':
      for (let i = 0; i < count; i++) v[i] = fill.lo + random() * (fill.hi - fill.lo);
      break;
    case 'range':
      for (let i = 0; i < count; i++) v[i] = fill.lo + Math.floor(random() * (fill.hi - fill.lo));
      break;
    case 'random-normal':
      for (let i = 0; i < count; i++) {
        const u = Math.max(random(), 1e-12);
        v[i] = fill.mean + fill.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      }
      break;
  }
  if (integral) for (let i = 0; i < count; i++) v[i] = Math.round(v[i]!);
  return v;
}

/** onnxruntime's metadata (`session.inputMetadata`) as TensorSpecs: symbolic names kept, unknown dims null. */
export function specsFromMetadata(
  meta: ReadonlyArray<{ name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }>,
): TensorSpec[] {
  return meta.map((m) => {
    if (!m.isTensor)
      throw new TierwiseError('INPUT_UNSUPPORTED', `input ${m.name} is not a tensor (sequence/map inputs cannot be synthesized)`);
    return {
      name: m.name,
      elemType: (m.type ?? 'unknown') as ElementType,
      shape: (m.shape ?? []).map((d) => (typeof d === 'number' ? (d > 0 ? d : null) : d === '' ? null : d)),
    };
  });
}

/** `--dims batch=1,height=640` → { batch: 1, height: 640 }. */
export function parseDimsArg(text: string): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = part.match(/^([^=]+)=(\d+)$/);
    if (!match) throw new TierwiseError('INPUT_SPEC_INVALID', `--dims ${part}: expected name=integer (e.g. --dims batch=1,height=640)`);
    dims[match[1]!.trim()] = Number(match[2]);
  }
  return dims;
}

/** Merges specs: later ones win per dim and per input field. */
export function mergeSpecs(...specs: Array<InputSpec | undefined>): InputSpec {
  const out: InputSpec = {};
  for (const spec of specs) {
    if (!spec) continue;
    if (spec.dims) out.dims = { ...out.dims, ...spec.dims };
    if (spec.inputs) {
      out.inputs = { ...out.inputs };
      for (const [name, entry] of Object.entries(spec.inputs)) out.inputs[name] = { ...out.inputs[name], ...entry };
    }
  }
  return out;
}
