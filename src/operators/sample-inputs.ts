/**
 * The one place that decides which inputs an engine feeds a model (for verification, calibration without a
 * dataset, shape probes). It takes explicit shapes, values for named symbolic dims and fills; a dim nobody gave a
 * value is refused (INPUT_SPEC_REQUIRED, naming the input and the dim), never set to 1. No batch dim is added:
 * a scalar stays a scalar. (The study-wide input spec resolver will replace this body; keep the signature.)
 */
import { TierwiseError } from '../common/errors';
import type { InputTensor } from '../onnx/io-spec';
import { seededRandom } from '../benchmark/stats';
import { realInputs, valueInfoToSpec, type ElementType, type ModelProto, type TensorSpec } from '../onnx';
import { floatToHalf } from '../onnx/float16';

export type InputFill =
  | { kind: 'zeros' } | { kind: 'ones' } | { kind: 'random-normal' }
  | { kind: 'random-uniform'; lo: number; hi: number } | { kind: 'range'; lo: number; hi: number }
  | { kind: 'value'; value: number };

export interface EngineInputSpec {
  /** Whole shapes by input name. */
  shapes?: Record<string, number[]>;
  /** Values of named symbolic dims (`{ batch: 1, sequence: 128 }`), used where `shapes` says nothing. */
  dims?: Record<string, number>;
  /** Fill per input; default: floats uniform in [-1, 1), integers and booleans zeros (a valid id, a valid state). */
  fills?: Record<string, InputFill>;
}

export interface ResolvedInput { name: string; elemType: ElementType; dims: number[]; fill: InputFill }

const SUPPORTED: ReadonlySet<ElementType> = new Set(['float32', 'float16', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool']);

function unresolved(model: ModelProto, missing: Array<{ input: string; dim: number; symbol: string | null }>): TierwiseError {
  const dims = Object.fromEntries(missing.filter((m) => m.symbol).map((m) => [m.symbol!, '<size>']));
  const shapes = Object.fromEntries(missing.filter((m) => !m.symbol).map((m) => [m.input, '[<d0>, <d1>, ...]']));
  const list = missing.map((m) => `${m.input} dim ${m.dim}${m.symbol ? ` ("${m.symbol}")` : ' (unnamed)'}`).join(', ');
  const example = JSON.stringify({ ...(Object.keys(dims).length ? { dims } : {}), ...(Object.keys(shapes).length ? { shapes } : {}) });
  return new TierwiseError('INPUT_SPEC_REQUIRED', `the model's inputs have dims without a value: ${list}; give them, e.g. ${example} (CLI: --shape <input>=d0,d1,... or --dim <name>=<size>)`, {
    missing, graph: model.graph?.name ?? null,
  });
}

/** Shapes and fills for every real input of `model`, or INPUT_SPEC_REQUIRED naming each dim without a value. */
export function resolveEngineInputs(model: ModelProto, spec: EngineInputSpec = {}): ResolvedInput[] {
  const inputs: TensorSpec[] = realInputs(model.graph!).map(valueInfoToSpec);
  const names = new Set(inputs.map((i) => i.name));
  const stray = [...Object.keys(spec.shapes ?? {}), ...Object.keys(spec.fills ?? {})].filter((n) => !names.has(n));
  if (stray.length > 0) throw new TierwiseError('INPUT_INVALID', `${[...new Set(stray)].join(', ')} ${stray.length > 1 ? 'are' : 'is'} not an input of the model (inputs: ${[...names].join(', ')})`);
  const missing: Array<{ input: string; dim: number; symbol: string | null }> = [];
  const resolved = inputs.map((input) => {
    if (!SUPPORTED.has(input.elemType)) throw new TierwiseError('INPUT_UNSUPPORTED', `input ${input.name} has element type ${input.elemType}; engines feed float32/16/64, int64/32, (u)int8 and bool`);
    const declared = input.shape;
    const given = spec.shapes?.[input.name];
    let dims: number[];
    if (given) {
      if (declared && given.length !== declared.length) throw new TierwiseError('INPUT_INVALID', `shape for ${input.name} has ${given.length} dims, the model declares ${declared.length} ([${declared.map((d) => d ?? '?')}])`);
      declared?.forEach((d, k) => {
        if (typeof d === 'number' && d > 0 && d !== given[k]) throw new TierwiseError('INPUT_INVALID', `shape for ${input.name} gives dim ${k} = ${given[k]}, the model fixes it at ${d}`);
      });
      dims = [...given];
    } else if (!declared) {
      missing.push({ input: input.name, dim: -1, symbol: null });
      dims = [];
    } else {
      dims = declared.map((d, k) => {
        if (typeof d === 'number' && d > 0) return d;
        const value = typeof d === 'string' ? spec.dims?.[d] : undefined;
        if (value === undefined) { missing.push({ input: input.name, dim: k, symbol: typeof d === 'string' ? d : null }); return 0; }
        return value;
      });
    }
    const integer = input.elemType !== 'float32' && input.elemType !== 'float16' && input.elemType !== 'float64';
    const fill: InputFill = spec.fills?.[input.name] ?? (integer ? { kind: 'zeros' } : { kind: 'random-uniform', lo: -1, hi: 1 });
    return { name: input.name, elemType: input.elemType, dims, fill };
  });
  if (missing.length > 0) throw unresolved(model, missing);
  return resolved;
}

/** Tensors for `resolveEngineInputs(model, spec)`; `count` samples differ in their random values only. */
export function engineSampleInputs(model: ModelProto, spec: EngineInputSpec = {}, count = 1, seed = 20240611): Array<Record<string, InputTensor>> {
  const resolved = resolveEngineInputs(model, spec);
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Object.fromEntries(resolved.map((r) => [r.name, makeInput(r, random)])));
}

function makeInput(r: ResolvedInput, random: () => number): InputTensor {
  const n = r.dims.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  const f = r.fill;
  for (let i = 0; i < n; i++) {
    if (f.kind === 'ones') values[i] = 1;
    else if (f.kind === 'value') values[i] = f.value;
    else if (f.kind === 'random-uniform') values[i] = f.lo + random() * (f.hi - f.lo);
    else if (f.kind === 'range') values[i] = Math.floor(f.lo + random() * (f.hi - f.lo + 1));
    else if (f.kind === 'random-normal') values[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  const integer = r.elemType !== 'float32' && r.elemType !== 'float16' && r.elemType !== 'float64';
  if (integer) for (let i = 0; i < n; i++) values[i] = Math.round(values[i]);
  let data: InputTensor['data'];
  switch (r.elemType) {
    case 'float32': data = Float32Array.from(values); break;
    case 'float64': data = values; break;
    case 'float16': data = Uint16Array.from(values, (v) => floatToHalf(v)) as unknown as InputTensor['data']; break;
    case 'int64': data = BigInt64Array.from(values, (v) => BigInt(v)); break;
    case 'int32': data = Int32Array.from(values); break;
    case 'int8': data = Int8Array.from(values); break;
    default: data = Uint8Array.from(values, (v) => (r.elemType === 'bool' ? (v ? 1 : 0) : v));
  }
  return { type: r.elemType, dims: r.dims, data };
}

/** Parses CLI flags: `--shape x=1,3,64,64`, `--dim batch=1`, `--fill sr=16000|zeros|ones|random-normal|uniform:lo,hi|range:lo,hi`. */
export function parseInputSpecFlags(shapes: string[] = [], dims: string[] = [], fills: string[] = []): EngineInputSpec {
  const pair = (arg: string, flag: string): [string, string] => {
    const at = arg.lastIndexOf('=');
    if (at <= 0) throw new TierwiseError('ARGUMENT_INVALID', `${flag} expects name=value, got ${arg}`);
    return [arg.slice(0, at).trim(), arg.slice(at + 1).trim()];
  };
  const spec: EngineInputSpec = {};
  for (const arg of shapes) {
    const [name, value] = pair(arg, '--shape');
    if (!/^\d*(,\d+)*$/.test(value)) throw new TierwiseError('ARGUMENT_INVALID', `--shape expects name=d1,d2,... (or name= for a scalar), got ${arg}`);
    (spec.shapes ??= {})[name] = value === '' ? [] : value.split(',').map(Number);
  }
  for (const arg of dims) {
    const [name, value] = pair(arg, '--dim');
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new TierwiseError('ARGUMENT_INVALID', `--dim expects name=<non-negative integer>, got ${arg}`);
    (spec.dims ??= {})[name] = n;
  }
  for (const arg of fills) {
    const [name, value] = pair(arg, '--fill');
    (spec.fills ??= {})[name] = parseFill(value, arg);
  }
  return spec;
}

function parseFill(value: string, arg: string): InputFill {
  if (value === 'zeros' || value === 'ones' || value === 'random-normal') return { kind: value };
  const bounds = /^(uniform|range):(-?[\d.e+-]+),(-?[\d.e+-]+)$/.exec(value);
  if (bounds) {
    const lo = Number(bounds[2]);
    const hi = Number(bounds[3]);
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi) return bounds[1] === 'uniform' ? { kind: 'random-uniform', lo, hi } : { kind: 'range', lo, hi };
  }
  const n = Number(value);
  if (value !== '' && Number.isFinite(n)) return { kind: 'value', value: n };
  throw new TierwiseError('ARGUMENT_INVALID', `--fill expects name=zeros|ones|random-normal|uniform:lo,hi|range:lo,hi|<number>, got ${arg}`);
}

export interface InputSpecFlags { shape?: string[]; dim?: string[]; fill?: string[] }

const collect = (v: string, all: string[] = []): string[] => [...all, v];

/** Adds `--shape`, `--dim` and `--fill` (repeatable) to a CLI command. */
export function withInputSpecFlags<T extends { option(flags: string, description: string, fn: (v: string, all: string[]) => string[]): T }>(command: T, skipShape = false): T {
  const c = skipShape ? command : command.option('--shape <name=dims>', 'input shape, e.g. x=1,3,224,224 (`sr=` for a scalar; repeatable)', collect);
  return c
    .option('--dim <name=size>', 'value of a named symbolic dim, e.g. batch=1 (repeatable)', collect)
    .option('--fill <name=fill>', 'sample values of an input: zeros | ones | random-normal | uniform:lo,hi | range:lo,hi | <number> (repeatable)', collect);
}

export function specFromFlags(flags: InputSpecFlags): EngineInputSpec {
  return parseInputSpecFlags(flags.shape, flags.dim, flags.fill);
}
