/**
 * The input-spec flags every command shares (bench, study, quantize, partition, prune, early-exit), all folded
 * into one InputSpec for the one resolver (src/onnx/input-spec.ts):
 *
 *   --inputs '<json>' | @spec.json   the whole spec: {"dims": {...}, "inputs": {"<name>": {"shape"|"dims"|"fill"|"value"}}}
 *   --shape x=1,3,640,640            a whole shape (repeatable; `sr=` for a scalar)
 *   --dims batch=1,height=640        values of symbolic dims (also --dim batch=1, repeatable)
 *   --fill sr=16000 | h=zeros        ones | random-normal | random-uniform | uniform:lo,hi | range:lo,hi | <number> (repeatable)
 *
 * Later flags win: --inputs, then --dims/--dim, then --shape, then --fill.
 */
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import { mergeSpecs, parseDimsArg, parseInputSpec, type InputSpec, type InputSpecEntry } from '../../onnx/input-spec';

export interface InputSpecFlags {
  inputs?: string;
  shape?: string[];
  dims?: string;
  dim?: string[];
  fill?: string[];
}

const collect = (v: string, all: string[] = []): string[] => [...all, v];

type Optioned<T> = {
  option(flags: string, description: string, fn?: ((v: string, all: string[]) => string[]) | string, init?: string[]): T;
};

/** Adds the input-spec flags to a command. */
export function withInputSpecFlags<T extends Optioned<T>>(command: T): T {
  return command
    .option('--inputs <json|@file>', 'input spec: {"dims": {"batch": 1}, "inputs": {"x": {"shape": [...], "fill": ..., "value": ...}}}')
    .option('--shape <name=dims>', 'input shape, e.g. x=1,3,224,224 (`sr=` for a scalar; repeatable)', collect)
    .option('--dims <name=n,...>', 'values of symbolic dims, e.g. --dims batch=1,height=640,width=640')
    .option('--dim <name=size>', 'value of one symbolic dim, e.g. batch=1 (repeatable)', collect)
    .option(
      '--fill <name=fill>',
      'sample values of an input: zeros | ones | random-normal | random-uniform | uniform:lo,hi | range:lo,hi | <number> (repeatable)',
      collect,
    );
}

function pair(arg: string, flag: string): [string, string] {
  const at = arg.lastIndexOf('=');
  if (at <= 0) throw new TierwiseError('ARGUMENT_INVALID', `${flag} expects name=value, got ${arg}`);
  return [arg.slice(0, at).trim(), arg.slice(at + 1).trim()];
}

/** `--inputs` text or `@file`. */
export function readSpecArg(inputs: string): InputSpec {
  let text = inputs;
  if (inputs.startsWith('@')) {
    try {
      text = readFileSync(inputs.slice(1), 'utf8');
    } catch (error) {
      throw new TierwiseError('INPUT_SPEC_INVALID', `--inputs ${inputs}: cannot read the file: ${(error as Error).message}`);
    }
  }
  return parseInputSpec(text, '--inputs');
}

export function parseShapeFlags(args: string[] = []): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const arg of args) {
    const [name, value] = pair(arg, '--shape');
    if (!/^(\d+(,\d+)*)?$/.test(value))
      throw new TierwiseError('ARGUMENT_INVALID', `--shape expects name=d1,d2,... (or name= for a scalar), got ${arg}`);
    shapes[name] = value === '' ? [] : value.split(',').map(Number);
  }
  return shapes;
}

export function parseFillFlag(arg: string): [string, InputSpecEntry] {
  const [name, value] = pair(arg, '--fill');
  if (value === 'zeros' || value === 'ones' || value === 'random-normal' || value === 'random-uniform')
    return [name, { fill: value, value: undefined }];
  const bounds = /^(uniform|range):(-?[\d.e+-]+),(-?[\d.e+-]+)$/.exec(value);
  if (bounds) {
    const lo = Number(bounds[2]);
    const hi = Number(bounds[3]);
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo < hi) {
      if (bounds[1] === 'uniform') return [name, { fill: { kind: 'random-uniform', lo, hi }, value: undefined }];
      if (Number.isInteger(lo) && Number.isInteger(hi)) return [name, { fill: { kind: 'range', lo, hi }, value: undefined }];
    }
  }
  const n = Number(value);
  if (value !== '' && Number.isFinite(n)) return [name, { value: n, fill: undefined }];
  throw new TierwiseError(
    'ARGUMENT_INVALID',
    `--fill expects name=zeros|ones|random-normal|random-uniform|uniform:lo,hi|range:lo,hi (integers, hi excluded)|<number>, got ${arg}`,
  );
}

/** The flags as one spec; undefined when none was given. */
export function specFromFlags(flags: InputSpecFlags): InputSpec | undefined {
  const given = flags.inputs !== undefined || flags.dims !== undefined || flags.dim?.length || flags.shape?.length || flags.fill?.length;
  if (!given) return undefined;
  const dims = {
    ...(flags.dims !== undefined ? parseDimsArg(flags.dims) : {}),
    ...(flags.dim?.length ? parseDimsArg(flags.dim.join(',')) : {}),
  };
  const shapes = parseShapeFlags(flags.shape);
  return mergeSpecs(
    flags.inputs !== undefined ? readSpecArg(flags.inputs) : undefined,
    Object.keys(dims).length ? { dims } : undefined,
    { inputs: Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { shape }])) },
    { inputs: Object.fromEntries((flags.fill ?? []).map(parseFillFlag)) },
  );
}
