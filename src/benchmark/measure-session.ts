import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { TierwiseError } from '../common/errors';
import type { InputTensor } from '../onnx/io-spec';
import { formatInputShapes, recordOfTensors, specsFromMetadata, type InputShapesRecord } from '../onnx/input-spec';
import { loadSamples, outputChecksum, syntheticInputs, type InputSource, type OutputTensor } from './inputs';
import { takeProfileTrace, type NodeTime } from './profiling';
import { ADAPTIVE_DEFAULTS, medianRelHalfWidth, shouldCheck, type StopReason } from './adaptive';

/** The measuring half of the runner; it runs inside the child (runner-main.ts), never in a server process. */
export interface SessionSpec {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  executionProvider: string;
}

export interface RunnerInput {
  modelPath: string;
  session: SessionSpec;
  inputs: InputSource;
  warmup: number;
  /** Timed runs; when absent, runs continue until `budgetMs` of wall time (at least 3, at most `maxRuns`). */
  runs?: number;
  budgetMs?: number;
  maxRuns?: number;
  /** Adaptive effort: stop once the p50's 95 % interval is within ±targetRelCi (after at least `minRuns`). */
  targetRelCi?: number;
  minRuns?: number;
  /** Inferences to profile per node in a second, separate session (0 = no profiling). */
  profileRuns: number;
  /** How many distinct inputs the output checksum covers. */
  checksumInputs: number;
}

export interface RunnerOutput {
  runtimeLoadMs: number;
  sessionCreateMs: number;
  firstRunMs: number;
  coldStartMs: number;
  warmMs: number[];
  /** Warm-up runs done: `warmup`, or fewer once a quarter of `budgetMs` was spent. */
  warmupRuns: number;
  stopReason: StopReason;
  inputShapes: Record<string, number[]>;
  /** Shape, element type and fill of each input (of the first sample when fed samples). */
  inputRecord: InputShapesRecord;
  distinctInputs: number;
  checksum: string;
  checksumInputs: number;
  peakRssBytes: number;
  /** CPU time of the whole child (all its threads) until it reported, ms. */
  cpuMs: number;
  cpusAllowedList: string;
  nodeTimes?: NodeTime[];
  warnings: string[];
}

const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function sessionOptions(spec: SessionSpec): Ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: spec.intraOpNumThreads,
    interOpNumThreads: spec.interOpNumThreads,
    graphOptimizationLevel: spec.graphOptimizationLevel,
    executionMode: 'sequential',
    executionProviders: [spec.executionProvider],
  };
}

async function createSession(
  ort: typeof Ort,
  input: RunnerInput,
  extra: Ort.InferenceSession.SessionOptions = {},
): Promise<Ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(input.modelPath, { ...sessionOptions(input.session), ...extra });
  } catch (error) {
    throw new TierwiseError('MODEL_UNLOADABLE', `onnxruntime cannot load ${input.modelPath}: ${(error as Error).message}`);
  }
}

/**
 * One inference; a failure is INPUT_REJECTED naming the inputs (those the runtime's message names first) with the
 * shape, type and fill they had, and how to give a spec.
 */
export async function runChecked(
  session: Ort.InferenceSession,
  feeds: Record<string, Ort.Tensor>,
  index: number,
  record: InputShapesRecord,
): Promise<Ort.InferenceSession.ReturnType> {
  try {
    return await session.run(feeds);
  } catch (error) {
    throw inputRejected(error, index, record);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whole-word mention; names of one or two characters (h, c, x) only when quoted, so prose does not match. */
function mentions(message: string, name: string): boolean {
  return name.length >= 3
    ? new RegExp(`(^|[^\\w])${escape(name)}($|[^\\w])`).test(message)
    : new RegExp(`['"\`]${escape(name)}['"\`]`).test(message);
}

export function inputRejected(error: unknown, index: number, record: InputShapesRecord): TierwiseError {
  const message = (error as Error).message ?? String(error);
  const names = Object.keys(record);
  const named = names.filter((n) => mentions(message, n));
  const order = [...named, ...names.filter((n) => !named.includes(n))];
  const ordered = Object.fromEntries(order.map((n) => [n, record[n]!]));
  return new TierwiseError(
    'INPUT_REJECTED',
    `the model rejected input ${index} (${formatInputShapes(ordered)})${named.length > 0 ? `; the runtime names ${named.join(', ')}` : ''}: ${message}. ` +
      'Give an input spec with the shapes and values the model expects, e.g. {"dims": {"<dim>": <int>}, "inputs": {"<input>": {"shape": [...], "fill": "zeros" | {"kind": "range", "lo": 0, "hi": <int>}, "value": <number>}}} ' +
      '("inputs" in the study, --inputs/--dims on the CLI), or a dataset.',
    { inputs: ordered, named, runtime: message },
  );
}

export async function measureInChild(input: RunnerInput): Promise<RunnerOutput> {
  const loadStart = process.hrtime.bigint();
  const ort = await import('onnxruntime-node');
  const runtimeLoadMs = msSince(loadStart);

  const coldStart = process.hrtime.bigint();
  const session = await createSession(ort, input);
  const sessionCreateMs = msSince(coldStart);
  const { tensors, warnings, record } = buildInputs(input.inputs, session);
  const feeds = tensors.map((t) =>
    Object.fromEntries(Object.entries(t).map(([name, v]) => [name, new ort.Tensor(v.type as Ort.Tensor.Type, v.data, v.dims)])),
  );
  const firstStart = process.hrtime.bigint();
  await runChecked(session, feeds[0]!, 0, record);
  const firstRunMs = msSince(firstStart);
  const coldStartMs = msSince(coldStart);

  // Under a time budget the warm-up stops after a quarter of it (at least one run): ten warm-up runs of a model of
  // seconds per inference (ISNet) would otherwise cost more than the timed runs.
  const warmupStart = process.hrtime.bigint();
  let warmupRuns = 0;
  while (warmupRuns < input.warmup && (warmupRuns === 0 || input.budgetMs === undefined || msSince(warmupStart) < input.budgetMs / 4)) {
    await runChecked(session, feeds[warmupRuns % feeds.length]!, warmupRuns % feeds.length, record);
    warmupRuns += 1;
  }
  const warmMs: number[] = [];
  const maxRuns = input.runs ?? input.maxRuns ?? 100_000;
  const minRuns = input.targetRelCi !== undefined ? (input.minRuns ?? ADAPTIVE_DEFAULTS.minRuns) : 3;
  let stopReason: StopReason = input.runs !== undefined ? 'fixed' : 'max-runs';
  const loopStart = process.hrtime.bigint();
  for (let i = 0; i < maxRuns; i++) {
    if (input.runs === undefined && i >= minRuns && msSince(loopStart) >= (input.budgetMs ?? 0)) {
      stopReason = 'budget';
      break;
    }
    if (input.targetRelCi !== undefined && shouldCheck(i, minRuns) && medianRelHalfWidth(warmMs) <= input.targetRelCi) {
      stopReason = 'ci-reached';
      break;
    }
    const feed = feeds[i % feeds.length]!;
    const t0 = process.hrtime.bigint();
    await session.run(feed);
    warmMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }

  const checksumInputs = Math.min(feeds.length, input.checksumInputs);
  const outputs: Array<Record<string, OutputTensor>> = [];
  for (let i = 0; i < checksumInputs; i++)
    outputs.push((await runChecked(session, feeds[i]!, i, record)) as unknown as Record<string, OutputTensor>);
  await session.release();

  let nodeTimes: NodeTime[] | undefined;
  if (input.profileRuns > 0) nodeTimes = await profileNodes(ort, input, feeds, record);

  return {
    runtimeLoadMs,
    sessionCreateMs,
    firstRunMs,
    coldStartMs,
    warmMs,
    warmupRuns,
    stopReason,
    inputShapes: Object.fromEntries(Object.entries(tensors[0]!).map(([name, t]) => [name, t.dims])),
    inputRecord: record,
    distinctInputs: feeds.length,
    checksum: outputChecksum(outputs),
    checksumInputs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    cpusAllowedList: readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1] ?? '',
    nodeTimes,
    warnings,
  };
}

function buildInputs(
  source: InputSource,
  session: Ort.InferenceSession,
): { tensors: Array<Record<string, InputTensor>>; warnings: string[]; record: InputShapesRecord } {
  if (source.kind === 'samples') {
    const tensors = loadSamples(source.path, source.limit);
    const missing = session.inputNames.filter((name) => !(name in tensors[0]!));
    if (missing.length > 0) throw new TierwiseError('SAMPLES_INVALID', `${source.path}: samples lack model inputs ${missing.join(', ')}`);
    return { tensors, warnings: [], record: recordOfTensors(tensors[0]!, source.fill ?? `samples (${tensors.length})`) };
  }
  const declared = specsFromMetadata(session.inputMetadata as unknown as Parameters<typeof specsFromMetadata>[0]).map((s) => ({
    name: s.name,
    type: s.elemType,
    shape: s.shape ?? [],
  }));
  const { inputs, warnings, record } = syntheticInputs(declared, source.shapes, source.spec, source.seed);
  return { tensors: [inputs], warnings, record };
}

/** Per-node kernel times from onnxruntime's profiler, in a separate session so profiling never slows the timed runs. */
async function profileNodes(
  ort: typeof Ort,
  input: RunnerInput,
  feeds: Array<Record<string, Ort.Tensor>>,
  record: InputShapesRecord,
): Promise<NodeTime[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tierwise-profile-'));
  const session = await createSession(ort, input, { enableProfiling: true, profileFilePrefix: join(dir, 'trace') });
  for (let i = 0; i < input.profileRuns; i++) await runChecked(session, feeds[i % feeds.length]!, i % feeds.length, record);
  session.endProfiling();
  await session.release();
  return takeProfileTrace(dir, input.profileRuns);
}
