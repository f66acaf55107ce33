import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../common/errors';
import type { ElementType } from '../onnx/io-spec';
import type { InputTensor } from '../onnx/io-spec';
import type { TensorSpec } from '../onnx/io-spec';
import {
  DEFAULT_SEED,
  mergeSpecs,
  toFloat16Bits,
  recordOf,
  resolveInputs,
  synthesize,
  type InputShapesRecord,
  type InputSpec,
  type ResolvedInput,
} from '../onnx/input-spec';

/**
 * What the runner feeds the model. `synthetic`: built from the model's declared inputs under an input spec
 * (src/onnx/input-spec.ts: `spec`, plus `shapes` giving whole shapes by input name, { x: [1, 3, 48, 192] });
 * a symbolic dimension neither gives is INPUT_SPEC_REQUIRED, never 1.
 * `samples`: a JSON file with DatasetSample-like records `{ id?, inputs: { name: { type, dims, data } } }`
 * (an array, or `{ samples: [...] }`) where `data` is a plain number array or a base64 string of the raw
 * little-endian bytes. Runs cycle through the samples.
 */
export type InputSource =
  | { kind: 'synthetic'; shapes?: Record<string, number[]>; spec?: InputSpec; seed?: number }
  | { kind: 'samples'; path: string; limit?: number; fill?: string };

export interface DeclaredInput {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string | null>;
}

const TYPED: Partial<Record<ElementType, { new (n: number): InputTensor['data']; BYTES_PER_ELEMENT: number }>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
};

function arrayType(type: string, where: string): { new (n: number): InputTensor['data']; BYTES_PER_ELEMENT: number } {
  const ctor = TYPED[type as ElementType];
  if (!ctor)
    throw new TierwiseError(
      'INPUT_UNSUPPORTED',
      `${where}: element type ${type} is not supported by the runner (float32/16/64, int64/32, (u)int8, bool)`,
    );
  return ctor;
}

/** `shapes` (whole shapes by input name) folded into a spec; a later spec entry for the same input wins. */
export function specWithShapes(spec: InputSpec | undefined, shapes: Record<string, number[]> = {}): InputSpec {
  return mergeSpecs({ inputs: Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { shape }])) }, spec);
}

/**
 * Deterministic inputs (fixed seed, so the output checksum is reproducible) from the model's declared inputs,
 * resolved by the input spec (resolveInputs): INPUT_SPEC_REQUIRED when a dimension is unknown. `record` says
 * the shapes and fills used; it goes next to every figure.
 */
export function syntheticInputs(
  declared: DeclaredInput[],
  shapes: Record<string, number[]> = {},
  spec?: InputSpec,
  seed = DEFAULT_SEED,
): { inputs: Record<string, InputTensor>; resolved: ResolvedInput[]; record: InputShapesRecord; warnings: string[] } {
  const io: TensorSpec[] = declared.map((d) => ({
    name: d.name,
    elemType: d.type as ElementType,
    shape: d.shape.map((x) => (typeof x === 'number' ? (x > 0 ? x : null) : x === '' ? null : x)),
  }));
  const resolved = resolveInputs(io, specWithShapes(spec, shapes));
  const inputs = synthesize(resolved, seed) as Record<string, InputTensor>;
  const warnings = resolved.flatMap((r) => r.assumed.map((a) => `input ${r.name}: ${a} assumed (give dims to choose)`));
  return { inputs, resolved, record: recordOf(resolved), warnings };
}

interface SerializedTensor {
  type: string;
  dims: number[];
  data: number[] | string;
}

function decodeTensor(raw: SerializedTensor, where: string): InputTensor {
  if (!raw || typeof raw.type !== 'string' || !Array.isArray(raw.dims))
    throw new TierwiseError('SAMPLES_INVALID', `${where}: needs {type, dims, data}`);
  const Ctor = arrayType(raw.type, where);
  const count = raw.dims.reduce((a, b) => a * b, 1);
  let data: InputTensor['data'];
  if (typeof raw.data === 'string') {
    const bytes = Buffer.from(raw.data, 'base64');
    if (bytes.length !== count * Ctor.BYTES_PER_ELEMENT)
      throw new TierwiseError(
        'SAMPLES_INVALID',
        `${where}: base64 data has ${bytes.length} bytes, dims [${raw.dims.join(',')}] of ${raw.type} need ${count * Ctor.BYTES_PER_ELEMENT}`,
      );
    data = new Ctor(count);
    new Uint8Array(data.buffer).set(bytes);
  } else if (Array.isArray(raw.data)) {
    if (raw.data.length !== count)
      throw new TierwiseError('SAMPLES_INVALID', `${where}: ${raw.data.length} values, dims [${raw.dims.join(',')}] need ${count}`);
    data = new Ctor(count);
    if (data instanceof BigInt64Array)
      raw.data.forEach((v, i) => {
        (data as BigInt64Array)[i] = BigInt(v);
      });
    else if (raw.type === 'float16')
      raw.data.forEach((v, i) => {
        (data as Uint16Array)[i] = toFloat16Bits(v);
      });
    else (data as Float32Array).set(raw.data);
  } else throw new TierwiseError('SAMPLES_INVALID', `${where}: data must be a number array or a base64 string`);
  return { type: raw.type as ElementType, dims: raw.dims, data };
}

export function loadSamples(path: string, limit?: number): Array<Record<string, InputTensor>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TierwiseError('SAMPLES_INVALID', `cannot read samples file ${path}: ${(error as Error).message}`);
  }
  const records = (Array.isArray(parsed) ? parsed : (parsed as { samples?: unknown })?.samples) as
    Array<{ id?: string; inputs?: Record<string, SerializedTensor> }> | undefined;
  if (!Array.isArray(records) || records.length === 0)
    throw new TierwiseError('SAMPLES_INVALID', `${path}: expected a non-empty array of samples (or {samples: [...]})`);
  return records.slice(0, limit ?? records.length).map((record, i) => {
    if (!record?.inputs || typeof record.inputs !== 'object')
      throw new TierwiseError('SAMPLES_INVALID', `${path}: sample ${record?.id ?? i} has no inputs`);
    return Object.fromEntries(
      Object.entries(record.inputs).map(([name, t]) => [name, decodeTensor(t, `${path}: sample ${record.id ?? i} input ${name}`)]),
    );
  });
}

/** Serialises tensors for a samples file (base64 of the raw bytes: compact and exact). */
export function serializeSample(id: string, inputs: Record<string, InputTensor>): { id: string; inputs: Record<string, SerializedTensor> } {
  return {
    id,
    inputs: Object.fromEntries(
      Object.entries(inputs).map(([name, t]) => [
        name,
        {
          type: t.type,
          dims: t.dims,
          data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'),
        },
      ]),
    ),
  };
}

export interface OutputTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

/**
 * sha256 over the outputs with float values rounded to 4 significant digits *of the tensor's largest
 * magnitude* (q = round(x / 10^(⌊log10 max|x|⌋ − 3))). Relative to the tensor, not to each value, so tiny
 * values near zero (where kernel and thread-count differences live) do not flip the hash; integers are exact.
 * A value sitting on a rounding boundary can still flip it: equal checksums prove equal outputs to that
 * precision, a differing one is a prompt to compare, not proof of a bug.
 */
export function outputChecksum(outputs: Array<Record<string, OutputTensor>>): string {
  const hash = createHash('sha256');
  for (const run of outputs) {
    for (const name of Object.keys(run).sort()) {
      const t = run[name]!;
      hash.update(`${name}|${t.type}|${t.dims.join('x')}|`);
      const data = t.data as ArrayLike<number | bigint | string>;
      if (data instanceof Float32Array || data instanceof Float64Array) hash.update(quantize(data));
      else hash.update(Array.from(data, String).join(','));
    }
  }
  return hash.digest('hex');
}

function quantize(data: Float32Array | Float64Array): Buffer {
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i]!)) maxAbs = Math.max(maxAbs, Math.abs(data[i]!));
  const step = maxAbs > 0 ? 10 ** (Math.floor(Math.log10(maxAbs)) - 3) : 1;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    out[i] = Number.isNaN(x) ? 2 ** 31 - 1 : x === Infinity ? 2 ** 31 - 2 : x === -Infinity ? -(2 ** 31) : Math.round(x / step);
  }
  return Buffer.from(out.buffer);
}

/** `--shape input=1,3,48,192` (repeatable) → { input: [1, 3, 48, 192] }. */
export function parseShapeArgs(args: string[]): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const arg of args) {
    const match = arg.match(/^([^=]+)=(\d+(?:,\d+)*)$/);
    if (!match) throw new TierwiseError('SHAPE_INVALID', `--shape ${arg}: expected name=d1,d2,... with positive integers`);
    const dims = match[2]!.split(',').map(Number);
    if (dims.some((d) => d < 1)) throw new TierwiseError('SHAPE_INVALID', `--shape ${arg}: dimensions must be >= 1`);
    shapes[match[1]!] = dims;
  }
  return shapes;
}
