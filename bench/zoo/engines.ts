/**
 * Drives Tierwise's engines on one zoo model through the CLI (`node dist/src/cli/main.js …`), so the zoo keeps
 * working while the engines' internals change, and checks every model an engine writes itself: the original and
 * the written model run in onnxruntime-node on the same inputs, and their outputs are compared.
 *
 * A cell is `ok` (with the measured agreement), `refused` (the CLI exited with a named code), `wrong` (the
 * command succeeded but the model it wrote does not load, changes the interface, or disagrees beyond the
 * tolerance), `crash` (no code: a stack trace, a signal, a timeout) or `n/a` (the engine does not apply).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoRoot, type Engine, type InputSpec, type ZooModel } from './zoo-models';

export type Status = 'ok' | 'refused' | 'wrong' | 'crash' | 'n/a';

export interface Agreement {
  /** Largest relative L2 error ‖a−b‖/‖a‖ over the outputs (and samples, sizes). */
  relL2: number;
  /** Largest absolute difference. */
  maxAbs: number;
  tolerance: string;
}

export interface Cell {
  model: string;
  engine: Engine;
  status: Status;
  code?: string;
  message?: string;
  agreement?: Agreement;
  figures?: Record<string, unknown>;
  seconds: number;
}

/** Exact rewrites (partition) must agree to float rounding; int8 to 15% relative L2; pruning and block bypass change the function by design. */
export const TOLERANCE = {
  exact: { relL2: 1e-4, text: 'relative L2 ≤ 1e-4 (a rewrite that keeps the function)' },
  /** The same for a graph that computes in fp16: a split changes where onnxruntime fuses and rounds. */
  exactFp16: { relL2: 1e-3, text: 'relative L2 ≤ 1e-3 (a rewrite that keeps the function, fp16 compute)' },
  /** The engines' own int8 check: cosine ≥ 0.99 and relative L2 ≤ 0.15 (cosine 0.99 at equal norms is relative L2 0.14). */
  int8: {
    relL2: 0.15,
    text: 'relative L2 ≤ 0.15 (int8 vs fp32 on the same inputs; the engines check cosine ≥ 0.99 and relative L2 ≤ 0.15)',
  },
  lossy: {
    relL2: 1,
    text: 'loads, same interface, finite outputs; drift reported (pruning / bypassing blocks change the function by design; relative L2 > 1 is wrong)',
  },
};

type Feeds = Record<string, ort.Tensor>;

const CTORS: Record<string, new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint }> = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface InputTypes {
  [name: string]: string;
}

export async function inputTypes(modelPath: string): Promise<InputTypes> {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  try {
    return Object.fromEntries(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : 'unknown']));
  } finally {
    await session.release();
  }
}

/** Concrete tensors for a spec (seeded, so every engine and the original see the same inputs). */
export function makeFeeds(spec: InputSpec, types: InputTypes, seed: number): Feeds {
  const random = rng(seed);
  const feeds: Feeds = {};
  for (const [name, entry] of Object.entries(spec)) {
    const type = types[name];
    if (!type) throw new Error(`spec names ${name}, which is not a model input (${Object.keys(types).join(', ')})`);
    const Ctor = CTORS[type];
    if (!Ctor) throw new Error(`input ${name}: the zoo cannot fill ${type}`);
    const dims = entry.value !== undefined ? (entry.shape ?? []) : entry.shape!;
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Ctor(n);
    const isInt = type === 'int64';
    for (let i = 0; i < n; i++) {
      let v: number;
      if (entry.value !== undefined) v = entry.value;
      else if (entry.fill === 'zeros') v = 0;
      else if (entry.fill === 'ones') v = 1;
      else if (entry.fill === 'random-normal') v = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      else {
        const [lo, hi] = entry.range ?? [-1, 1];
        v = lo + (hi - lo) * random();
      }
      data[i] = isInt ? BigInt(Math.round(v)) : v;
    }
    feeds[name] = new ort.Tensor(type as 'float32', data as Float32Array, dims);
  }
  return feeds;
}

function toNumbers(tensor: ort.Tensor): Float64Array {
  const data = tensor.data as ArrayLike<number | bigint>;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/** Base64 samples file for `tierwise bench --samples`. */
export function writeSamples(path: string, feedsList: Feeds[]): void {
  const samples = feedsList.map((feeds, i) => ({
    id: `zoo-${i}`,
    inputs: Object.fromEntries(
      Object.entries(feeds).map(([name, t]) => {
        const data = t.data as unknown as ArrayBufferView;
        return [
          name,
          { type: t.type, dims: [...t.dims], data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') },
        ];
      }),
    ),
  }));
  writeFileSync(path, JSON.stringify({ samples }));
}

function nest(flat: Float64Array, dims: readonly number[], at = 0): unknown {
  if (dims.length === 0) return flat[at];
  const stride = dims.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: dims[0] }, (_, i) => nest(flat, dims.slice(1), at + i * stride));
}

/** Tensors dataset (`{"<input>": [sample, ...]}`) for `tierwise quantize --calibration`. */
export function writeTensorDataset(path: string, feedsList: Feeds[]): void {
  const names = Object.keys(feedsList[0]);
  writeFileSync(
    path,
    JSON.stringify(Object.fromEntries(names.map((name) => [name, feedsList.map((f) => nest(toNumbers(f[name]), f[name].dims))]))),
  );
}

export interface CliResult {
  rc: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  seconds: number;
}

/** RSS cap for one CLI call (MiB): on this shared machine a runaway call is killed and reported, not left to the OOM killer. */
export const CLI_RSS_CAP_MB = Number(process.env.TIERWISE_ZOO_RSS_CAP_MB ?? 8000);

function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function cli(args: string[], timeoutMs: number): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, rssMB(child.pid!));
      if (peak > CLI_RSS_CAP_MB && !child.killed) {
        stderr += `\nkilled by the zoo: RSS ${peak.toFixed(0)} MiB over the cap of ${CLI_RSS_CAP_MB} MiB`;
        child.kill('SIGKILL');
      }
    }, 500);
    child.on('close', (rc, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      resolve({ rc, signal, stdout, stderr, timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** A failed CLI call as a cell: a named code on exit 2 is a refusal; anything else is a crash. */
function failure(result: CliResult): Pick<Cell, 'status' | 'code' | 'message'> {
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((l) => !/^(measuring|calibrat|profiling)/.test(l));
  const coded = lines.map((l) => /^([A-Z][A-Z0-9_]{2,}): (.*)$/.exec(l)).find(Boolean);
  if (result.rc === 2 && coded) return { status: 'refused', code: coded[1], message: coded[2].slice(0, 400) };
  const why = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exit ${result.rc}`;
  return { status: 'crash', message: `${why}: ${lines.slice(-4).join(' | ').slice(0, 600)}` };
}

function json(result: CliResult): Record<string, unknown> {
  const line = result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON on stdout: ${result.stdout.slice(0, 300)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

async function run(path: string, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const wanted = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
    const missing = session.inputNames.filter((n) => !feeds[n]);
    if (missing.length) throw new Error(`inputs ${missing.join(', ')} have no value`);
    return await session.run(wanted);
  } finally {
    await session.release();
  }
}

/** Compares two sets of outputs; throws when the interface differs (a wrong model). */
function compare(
  reference: Record<string, ort.Tensor>,
  candidate: Record<string, ort.Tensor>,
  into: { relL2: number; maxAbs: number; refNorm?: number },
): void {
  for (const [name, ref] of Object.entries(reference)) {
    const got = candidate[name];
    if (!got) throw new Error(`output ${name} is missing`);
    if (got.dims.join(',') !== ref.dims.join(',')) throw new Error(`output ${name} has shape [${got.dims}], the original [${ref.dims}]`);
    const a = toNumbers(ref);
    const b = toNumbers(got);
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(b[i]) && Number.isFinite(a[i])) throw new Error(`output ${name}[${i}] is ${b[i]}, the original ${a[i]}`);
      const d = Math.abs(a[i] - b[i]);
      if (d > into.maxAbs) into.maxAbs = d;
      diff += d * d;
      norm += a[i] * a[i];
    }
    into.refNorm = (into.refNorm ?? 0) + norm;
    const rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
    if (rel > into.relL2) into.relL2 = rel;
  }
}

/** Runs `original` and `variant` on each feed set; `wrong` when they disagree beyond `tolerance` or the variant fails. */
async function agreement(
  original: string,
  variant: string,
  feedsList: Feeds[],
  tolerance: { relL2: number; text: string },
): Promise<Pick<Cell, 'status' | 'message' | 'agreement'>> {
  const acc = { relL2: 0, maxAbs: 0, refNorm: 0 };
  try {
    for (const feeds of feedsList) compare(await run(original, feeds), await run(variant, feeds), acc);
  } catch (error) {
    return { status: 'wrong', message: `the written model ${(error as Error).message.slice(0, 400)}` };
  }
  const result = { relL2: round(acc.relL2), maxAbs: round(acc.maxAbs), tolerance: tolerance.text };
  if (acc.refNorm === 0)
    return {
      status: 'wrong',
      agreement: result,
      message: 'zoo harness: every reference output is 0 on the zoo inputs, agreement would prove nothing (change the spec fill)',
    };
  if (!(acc.relL2 <= tolerance.relL2))
    return { status: 'wrong', agreement: result, message: `outputs disagree: relative L2 ${result.relL2} > ${tolerance.relL2}` };
  return { status: 'ok', agreement: result };
}

type ZooNode = {
  input?: string[] | null;
  output?: string[] | null;
  attribute?: Array<{ g?: ZooGraph | null; graphs?: ZooGraph[] | null }> | null;
};
type ZooGraph = {
  node?: ZooNode[] | null;
  input?: Array<{ name?: string | null }> | null;
  output?: Array<{ name?: string | null }> | null;
  initializer?: Array<{ name?: string | null }> | null;
};

/** A node's inputs plus the outer-scope names its subgraphs (If/Loop/Scan bodies) read. */
function readsOf(node: ZooNode): string[] {
  const out = [...(node.input ?? [])];
  for (const a of node.attribute ?? []) {
    for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) {
      const local = new Set([
        ...(g.input ?? []).map((i) => i.name!),
        ...(g.initializer ?? []).map((i) => i.name!),
        ...(g.node ?? []).flatMap((n) => n.output ?? []),
      ]);
      for (const n of g.node ?? []) for (const x of readsOf(n)) if (x && !local.has(x)) out.push(x);
    }
  }
  return out;
}

/**
 * The zoo's own check that a graph has a cut: a node output `t` such that the nodes depending on it (the tail)
 * read nothing from the other nodes (the head) but `t` (subgraph reads included), produce every graph output, both
 * sides hold ≥ 2 nodes, and the tail does not itself read every graph input the head reads (else nothing is
 * separated: the "tail" would need the raw input anyway). The tail may read other graph inputs (forwarded).
 */
export function singleTensorCut(path: string): { tensor: string; head: number; tail: number } | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadModel } = require(join(repoRoot(), 'dist/src/onnx/index.js')) as {
    loadModel(bytes: Uint8Array): { graph?: ZooGraph | null };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const graph = loadModel(readFileSync(path)).graph!;
  const nodes = graph.node ?? [];
  const reads = nodes.map(readsOf);
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => producer.set(o, i)));
  const inits = new Set((graph.initializer ?? []).map((t) => t.name!));
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name!).filter((n) => !inits.has(n)));
  const outputs = new Set((graph.output ?? []).map((o) => o.name!));
  const consumers = new Map<string, number[]>();
  reads.forEach((inputs, i) => inputs.forEach((x) => consumers.set(x, [...(consumers.get(x) ?? []), i])));
  for (const [t, p] of producer) {
    if (outputs.has(t)) continue;
    const tail = new Set<number>();
    const stack = [...(consumers.get(t) ?? [])];
    while (stack.length) {
      const i = stack.pop()!;
      if (tail.has(i)) continue;
      tail.add(i);
      for (const o of nodes[i].output ?? []) stack.push(...(consumers.get(o) ?? []));
    }
    const head = nodes.length - tail.size;
    if (tail.size < 2 || head < 2 || tail.has(p)) continue;
    const tailOutputs = new Set([...tail].flatMap((i) => nodes[i].output ?? []));
    if (![...outputs].every((o) => tailOutputs.has(o))) continue;
    const tailReads = [...tail].flatMap((i) => reads[i]);
    if (!tailReads.every((x) => x === '' || x === t || !producer.has(x) || tail.has(producer.get(x)!))) continue;
    const headInputs = new Set(nodes.flatMap((_, i) => (tail.has(i) ? [] : reads[i].filter((x) => graphInputs.has(x)))));
    const forwarded = new Set(tailReads.filter((x) => graphInputs.has(x)));
    if (headInputs.size > 0 && [...headInputs].every((x) => forwarded.has(x))) continue;
    return { tensor: t, head, tail: tail.size };
  }
  return undefined;
}

const round = (v: number): number => (v === 0 ? 0 : Number(v.toPrecision(3)));

export interface EngineContext {
  model: ZooModel;
  path: string;
  work: string;
  types: InputTypes;
  tiers: string[];
  benchRuns: number;
  timeoutMs: number;
  calibrationSamples: number;
  /** How many cuts partition splits and checks (3 in the bench; CI checks fewer). */
  partitionCuts: number;
}

/** The zoo spec as Tierwise's input spec (`--inputs '<json>'`): every engine runs at the shapes and fills the zoo states. */
export function tierwiseSpec(spec: InputSpec): { inputs: Record<string, Record<string, unknown>> } {
  return {
    inputs: Object.fromEntries(
      Object.entries(spec).map(([name, e]) => [
        name,
        {
          ...(e.shape ? { shape: e.shape } : {}),
          ...(e.value !== undefined
            ? { value: e.value }
            : e.range
              ? { fill: { kind: 'random-uniform', lo: e.range[0], hi: e.range[1] } }
              : e.fill
                ? { fill: e.fill }
                : {}),
        },
      ]),
    ),
  };
}

function shapeArgs(spec: InputSpec): string[] {
  return ['--inputs', JSON.stringify(tierwiseSpec(spec))];
}

export async function runEngine(engine: Engine, ctx: EngineContext): Promise<Cell> {
  const started = Date.now();
  const base = { model: ctx.model.id, engine };
  const na = ctx.model.notApplicable?.[engine];
  if (na) return { ...base, status: 'n/a', message: na, seconds: 0 };
  mkdirSync(ctx.work, { recursive: true });
  try {
    const cell = await ENGINE_RUNNERS[engine](ctx);
    return { ...base, ...cell, seconds: round((Date.now() - started) / 1000) };
  } catch (error) {
    return {
      ...base,
      status: 'crash',
      message: `zoo harness: ${(error as Error).message.slice(0, 500)}`,
      seconds: round((Date.now() - started) / 1000),
    };
  }
}

type Runner = (ctx: EngineContext) => Promise<Omit<Cell, 'model' | 'engine' | 'seconds'>>;

const evalFeeds = (ctx: EngineContext): Feeds[] => [makeFeeds(ctx.model.spec, ctx.types, 101), makeFeeds(ctx.model.spec, ctx.types, 102)];

const ENGINE_RUNNERS: Record<Engine, Runner> = {
  /** The project's own description (dist/src/onnx/describe) against what onnxruntime reports. */
  async describe(ctx) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { describeModel } = require(join(repoRoot(), 'dist/src/onnx/describe.js')) as {
      describeModel(bytes: Uint8Array): {
        inputs: Array<{ name: string; elemType: string; shape: unknown }>;
        outputs: Array<{ name: string }>;
        opset: number;
        irVersion: number;
        paramCount: number;
      };
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    let d;
    try {
      d = describeModel(readFileSync(ctx.path));
    } catch (error) {
      const e = error as { code?: string; message: string };
      if (e.code && /^[A-Z_]+$/.test(e.code)) return { status: 'refused', code: e.code, message: e.message };
      throw error;
    }
    const session = await ort.InferenceSession.create(ctx.path, { intraOpNumThreads: 1 });
    const ortInputs = session.inputNames.join(',');
    const ortOutputs = session.outputNames.join(',');
    await session.release();
    const mismatch = d.inputs.map((i) => i.name).join(',') !== ortInputs || d.outputs.map((o) => o.name).join(',') !== ortOutputs;
    const figures = {
      opset: d.opset,
      irVersion: d.irVersion,
      paramCount: d.paramCount,
      inputs: d.inputs.map((i) => `${i.name}:${i.elemType}[${JSON.stringify(i.shape)}]`),
    };
    if (mismatch)
      return {
        status: 'wrong',
        message: `describe lists inputs ${d.inputs.map((i) => i.name)} / outputs ${d.outputs.map((o) => o.name)}, onnxruntime ${ortInputs} / ${ortOutputs}`,
        figures,
      };
    return { status: 'ok', figures };
  },

  async bench(ctx) {
    const samples = join(ctx.work, 'samples.json');
    writeSamples(samples, [makeFeeds(ctx.model.spec, ctx.types, 7)]);
    const figures: Record<string, unknown> = {};
    for (const tier of ctx.tiers) {
      const r = await cli(
        [
          'bench',
          ctx.path,
          '--tier',
          tier,
          '--runs',
          String(ctx.benchRuns),
          '--warmup',
          String(Math.min(3, ctx.benchRuns)),
          '--samples',
          samples,
          '--json',
        ],
        ctx.timeoutMs,
      );
      if (r.rc !== 0) return { ...failure(r), message: `tier ${tier}: ${failure(r).message}`, figures };
      const m = json(r);
      figures[tier] = {
        p50Ms: round(m.p50 as number),
        coldStartMs: round(m.coldStartScaledMs as number),
        runs: m.n,
        inputShapes: m.inputShapes ?? m.inputs ?? 'not recorded by the measurement',
      };
    }
    return { status: 'ok', figures: { spec: ctx.model.spec, ...figures } };
  },

  async 'quantize-static'(ctx) {
    const out = join(ctx.work, 'static-int8.onnx');
    const own = ctx.model.calibration;
    let calibration: string[];
    if (own?.synthetic) calibration = ['--calibration', 'synthetic', '--samples', String(own.samples), '--method', own.method];
    else {
      const calib = join(ctx.work, 'calibration.json');
      writeTensorDataset(
        calib,
        Array.from({ length: ctx.calibrationSamples }, (_, i) => makeFeeds(ctx.model.spec, ctx.types, 1000 + i)),
      );
      calibration = ['--calibration', calib, '--samples', String(ctx.calibrationSamples)];
    }
    const r = await cli(
      ['quantize', ctx.path, '-o', out, '--mode', 'static', ...calibration, ...shapeArgs(ctx.model.spec), '--json'],
      ctx.timeoutMs,
    );
    if (r.rc !== 0) return failure(r);
    const report = json(r);
    return {
      ...(await agreement(ctx.path, out, evalFeeds(ctx), TOLERANCE.int8)),
      figures: {
        nodesQuantized: report.nodesQuantized,
        sizeBytes: report.sizeBytes,
        method: report.method,
        calibration: report.calibration,
      },
    };
  },

  async 'quantize-dynamic'(ctx) {
    const out = join(ctx.work, 'dynamic-int8.onnx');
    const r = await cli(['quantize', ctx.path, '-o', out, '--mode', 'dynamic', ...shapeArgs(ctx.model.spec), '--json'], ctx.timeoutMs);
    if (r.rc !== 0) return failure(r);
    const report = json(r);
    return {
      ...(await agreement(ctx.path, out, evalFeeds(ctx), TOLERANCE.int8)),
      figures: { nodesQuantized: report.nodesQuantized, sizeBytes: report.sizeBytes },
    };
  },

  /** Three cuts (a quarter, half and three quarters down the list), each run head→tail at one or two sizes. */
  async partition(ctx) {
    const list = await cli(
      ['partition', ctx.path, '--list-cuts', '--max-tensors', '1', ...shapeArgs(ctx.model.spec), '--json'],
      ctx.timeoutMs,
    );
    if (list.rc !== 0) return failure(list);
    const cuts = (json(list).cuts as Array<{ id: string; tensors?: string[] }>) ?? [];
    if (cuts.length === 0) {
      const own = singleTensorCut(ctx.path);
      if (own)
        return {
          status: 'wrong',
          message: `--list-cuts found no cut, but tensor ${own.tensor} separates the graph (${own.head} nodes before, ${own.tail} after)`,
        };
      return { status: 'n/a', message: 'no single-tensor cut leaves two or more nodes on each side' };
    }
    const fractions = ctx.partitionCuts >= 3 ? [0.25, 0.5, 0.75] : ctx.partitionCuts === 2 ? [0.25, 0.75] : [0.5];
    const picks = [...new Set(fractions.map((f) => Math.min(cuts.length - 1, Math.floor(f * cuts.length))))].map((i) => cuts[i]);
    const specs = [ctx.model.spec, ...(ctx.model.altSpec ? [ctx.model.altSpec] : [])];
    const acc = { relL2: 0, maxAbs: 0 };
    const checked: string[] = [];
    for (const [k, cut] of picks.entries()) {
      const tensors = cut.tensors ?? cut.id.split('+');
      const head = join(ctx.work, `head-${k}.onnx`);
      const tail = join(ctx.work, `tail-${k}.onnx`);
      const r = await cli(
        ['partition', ctx.path, '--cut', tensors.join(','), '-o', head, tail, ...shapeArgs(ctx.model.spec), '--json'],
        ctx.timeoutMs,
      );
      if (r.rc !== 0) return { ...failure(r), message: `cut ${cut.id}: ${failure(r).message}`, figures: { cuts: cuts.length, checked } };
      for (const [s, spec] of specs.entries()) {
        const feeds = makeFeeds(spec, ctx.types, 300 + s);
        try {
          const reference = await run(ctx.path, feeds);
          const headOut = await run(head, feeds);
          const tailOut = await run(tail, { ...feeds, ...headOut });
          compare(reference, Object.fromEntries(Object.keys(reference).map((n) => [n, tailOut[n] ?? headOut[n]])), acc);
        } catch (error) {
          return {
            status: 'wrong',
            message: `cut ${cut.id} at ${JSON.stringify(Object.fromEntries(Object.entries(spec).map(([n, e]) => [n, e.shape ?? e.value])))}: head→tail ${(error as Error).message.slice(0, 300)}`,
            figures: { cuts: cuts.length, checked },
          };
        }
      }
      checked.push(cut.id);
    }
    const exact = ctx.model.fp16Compute ? TOLERANCE.exactFp16 : TOLERANCE.exact;
    const agreementFig = { relL2: round(acc.relL2), maxAbs: round(acc.maxAbs), tolerance: exact.text };
    const figures = { cuts: cuts.length, checked, sizes: specs.length };
    if (!(acc.relL2 <= exact.relL2))
      return {
        status: 'wrong',
        agreement: agreementFig,
        figures,
        message: `head→tail disagrees with the original: relative L2 ${agreementFig.relL2}`,
      };
    return { status: 'ok', agreement: agreementFig, figures };
  },

  async prune(ctx) {
    const out = join(ctx.work, 'pruned.onnx');
    const r = await cli(['prune', ctx.path, '--sparsity', '0.3', '-o', out, ...shapeArgs(ctx.model.spec), '--json'], ctx.timeoutMs);
    if (r.rc !== 0) return failure(r);
    const report = json(r);
    const figures = {
      targetSparsity: report.targetSparsity,
      realSparsity: report.realSparsity,
      layers: (report.layers as unknown[] | undefined)?.length,
      skipped: (report.skipped as unknown[] | undefined)?.length,
    };
    const verdict = await agreement(ctx.path, out, evalFeeds(ctx), TOLERANCE.lossy);
    if (
      verdict.status === 'ok' &&
      typeof report.realSparsity === 'number' &&
      report.realSparsity < 0.3 * 0.9 &&
      (report.layers as unknown[]).length > 0
    ) {
      return {
        status: 'wrong',
        agreement: verdict.agreement,
        figures,
        message: `asked for 30% sparsity, the report says ${report.realSparsity}`,
      };
    }
    return { ...verdict, figures };
  },

  async 'early-exit'(ctx) {
    const list = await cli(['early-exit', ctx.path, '--list-blocks', ...shapeArgs(ctx.model.spec), '--json'], ctx.timeoutMs);
    if (list.rc !== 0) return failure(list);
    const blocks = (json(list).blocks as Array<{ id: string; bypassable: boolean; macShare: number }>) ?? [];
    const bypassable = blocks.filter((b) => b.bypassable).sort((a, b) => a.macShare - b.macShare);
    if (bypassable.length === 0)
      return { status: 'n/a', message: `no bypassable residual blocks (${blocks.length} found)`, figures: { blocks: blocks.length } };
    const out = join(ctx.work, 'early-exit.onnx');
    const skip = bypassable[0];
    const r = await cli(['early-exit', ctx.path, '--skip', skip.id, '-o', out, ...shapeArgs(ctx.model.spec), '--json'], ctx.timeoutMs);
    if (r.rc !== 0) return failure(r);
    return {
      ...(await agreement(ctx.path, out, evalFeeds(ctx), TOLERANCE.lossy)),
      figures: { blocks: blocks.length, bypassable: bypassable.length, skipped: skip.id, macShare: round(skip.macShare) },
    };
  },
};
