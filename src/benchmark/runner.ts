import { existsSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { resolve } from 'node:path';
import { TierwiseError } from '../common/errors';
import { childEntry } from '../isolation/entries';
import { runChildDetailed } from '../isolation/child-process';
import { coreBusyMs, lockCores } from '../isolation/core-lock';
import { envelopeRecord, planEnvelope, type EnvelopeMethod, type EnvelopeRecord } from './envelope';
import type { InputSource } from './inputs';
import type { InputShapesRecord } from '../onnx/input-spec';
import type { RunnerInput, RunnerOutput, SessionSpec } from './measure-session';
import type { NodeTime } from './profiling';
import { bootstrapMedianCI, summarize, type Interval, type Summary } from './stats';
import { resolveTier, type TierOverride, type TierProfile } from './tiers';
import { DEFAULT_NOISE_POLICY, keepQuietest, validateNoisePolicy, type NoisePolicy, type NoiseRecord } from './noise';
import { validateAdaptive, type StopReason } from './adaptive';

/** One measurement of one model on one tier, run in a child process inside the tier's envelope. */
export interface MeasureRequest {
  modelPath: string;
  /** A configured tier name, or a full profile. */
  tier: string | TierProfile;
  tierOverride?: TierOverride;
  method?: EnvelopeMethod;
  /** Defaults: intra-op threads = the tier's threads, inter-op 1, optimization 'all', the tier's provider. */
  session?: Partial<SessionSpec>;
  inputs?: InputSource;
  warmup?: number;
  /** Timed runs (default 50); or give `budgetMs` to run for that long instead. */
  runs?: number;
  budgetMs?: number;
  /** With `budgetMs` and no `runs`: stop after this many timed runs even when budget is left (a cap for fast models). */
  maxRuns?: number;
  profile?: boolean | { runs: number };
  timeoutMs?: number;
  quotaPeriodUs?: number;
  /** How long to wait for the tier's cores when another measurement holds them. */
  lockTimeoutMs?: number;
  checksumInputs?: number;
  bootstrap?: { resamples?: number; seed?: number };
  /** Aborting stops the measurement (the runner is killed) with CANCELLED. */
  signal?: AbortSignal;
  /**
   * Adaptive effort: timed runs continue until the p50's 95 % interval is within ±`targetRelCi` of the p50, or
   * `budgetMs` (required) ends, or `maxRuns` is reached. `runs` must not be given with it.
   */
  adaptive?: { targetRelCi: number; maxRuns?: number; minRuns?: number };
  /**
   * Retakes of a measurement that other work disturbed (see noise.ts). Unset or `false`: taken once (still marked
   * noisy over the default threshold); the study's bench jobs and `tierwise bench` pass the deployment's policy.
   */
  noise?: Partial<NoisePolicy> | false;
}

export interface ScaledNodeTime extends NodeTime {
  scaledMeanMs: number;
}

export interface MeasureResult extends Summary {
  model: string;
  tier: string;
  /** Headline figures (p50 … max above) are tier-scaled; `raw` holds the host's own. */
  p50CI: Interval;
  raw: Summary & { p50CI: Interval };
  samples: { rawMs: number[]; scaledMs: number[] };
  warmup: number;
  coldStartMs: number;
  coldStartScaledMs: number;
  sessionCreateMs: number;
  firstRunMs: number;
  runtimeLoadMs: number;
  peakRssMB: number;
  /** The memory cgroup's peak (includes page cache of the model file), when one was used. */
  cgroupPeakMB: number | null;
  checksum: string;
  checksumInputs: number;
  inputShapes: Record<string, number[]>;
  /** Shape, element type and fill of each input it ran with (the first sample's when fed samples). */
  inputRecord: InputShapesRecord;
  distinctInputs: number;
  session: SessionSpec;
  envelope: EnvelopeRecord;
  nodeTimes?: ScaledNodeTime[];
  host: { name: string; cpuModel: string; cores: number; childCpusAllowed: string };
  wallMs: number;
  /**
   * CPU time the measuring cores spent on anything but this child during its life (/proc/stat busy + steal
   * minus the child's own CPU time, over wall × cores; 10 ms resolution). Pinning is not exclusive: this says
   * how much it mattered. Absent when the cores were not pinned.
   */
  interference?: { foreignCpuShare: number; coresBusyMs: number; childCpuMs: number };
  measuredAt: string;
  /** Why the timed runs stopped: a fixed count, the time budget, the run cap, or the adaptive interval reached. */
  stopReason: StopReason;
  /** Retakes and whether the kept figure is still noisy (see noise.ts); share null when no pinning could tell. */
  noise: NoiseRecord;
  warnings: string[];
}

const DEFAULT_RUNS = 50;
const DEFAULT_WARMUP = 10;

/**
 * Measures once, and again (after a pause) while other work took more than the threshold of the measuring cores,
 * up to the policy's retakes. The quietest attempt is kept; if even that one is over the threshold it is marked
 * noisy with its share, so the ranking can treat it as uncertain.
 */
export async function measure(request: MeasureRequest): Promise<MeasureResult> {
  const policy = request.noise ? { ...DEFAULT_NOISE_POLICY, ...request.noise } : { ...DEFAULT_NOISE_POLICY, maxRetakes: 0 };
  validateNoisePolicy(policy);
  const attempts: MeasureResult[] = [];
  for (;;) {
    const result = await measureOnce(request);
    attempts.push(result);
    const share = result.interference?.foreignCpuShare;
    if (share === undefined || share <= policy.threshold || attempts.length > policy.maxRetakes) break;
    if (request.signal?.aborted) break;
    await pause(policy.pauseMs * 2 ** (attempts.length - 1), request.signal);
  }
  return keepQuietest(attempts, policy);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function measureOnce(request: MeasureRequest): Promise<MeasureResult> {
  const modelPath = resolve(request.modelPath);
  if (!existsSync(modelPath)) throw new TierwiseError('MODEL_NOT_FOUND', `model file ${modelPath} does not exist`);
  const tier =
    typeof request.tier === 'string' ? resolveTier(request.tier, request.tierOverride) : { ...request.tier, ...request.tierOverride };
  const method = request.method ?? 'scaled';
  const plan = planEnvelope(tier, method, { quotaPeriodUs: request.quotaPeriodUs });
  const session: SessionSpec = {
    intraOpNumThreads: request.session?.intraOpNumThreads ?? tier.threads,
    interOpNumThreads: request.session?.interOpNumThreads ?? 1,
    graphOptimizationLevel: request.session?.graphOptimizationLevel ?? 'all',
    executionProvider: request.session?.executionProvider ?? tier.executionProvider,
  };
  if (request.adaptive) validateAdaptive(request);
  const runs =
    request.adaptive || (request.budgetMs !== undefined && request.runs === undefined) ? undefined : (request.runs ?? DEFAULT_RUNS);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1))
    throw new TierwiseError('MEASURE_INVALID', `runs must be a positive integer, got ${runs}`);
  const warmup = request.warmup ?? DEFAULT_WARMUP;
  if (!(Number.isInteger(warmup) && warmup >= 0))
    throw new TierwiseError('MEASURE_INVALID', `warmup must be a non-negative integer, got ${warmup}`);
  const profileRuns = request.profile === true ? Math.min(runs ?? 20, 20) : request.profile ? request.profile.runs : 0;
  const input: RunnerInput = {
    modelPath,
    session,
    inputs: request.inputs ?? { kind: 'synthetic' },
    warmup,
    runs,
    budgetMs: request.budgetMs,
    maxRuns: request.adaptive?.maxRuns ?? (runs === undefined ? request.maxRuns : undefined),
    targetRelCi: request.adaptive?.targetRelCi,
    minRuns: request.adaptive?.minRuns,
    profileRuns,
    checksumInputs: request.checksumInputs ?? 8,
  };

  const release = plan.cores ? await lockCores(plan.cores, { timeoutMs: request.lockTimeoutMs }) : () => undefined;
  let child;
  const busyBefore = plan.cores ? coreBusyMs(plan.cores) : null;
  let busyMs: number | null;
  try {
    child = await runChildDetailed<RunnerOutput>({
      entry: childEntry('runner'),
      input,
      timeoutMs: request.timeoutMs ?? 300_000 + (request.budgetMs ?? 0),
      envelope: plan.envelope,
      label: `runner ${modelPath} on ${tier.name}`,
      signal: request.signal,
    });
    const busyAfter = plan.cores ? coreBusyMs(plan.cores) : null;
    busyMs = busyBefore !== null && busyAfter !== null ? busyAfter - busyBefore : null;
  } finally {
    release();
  }
  const out = child.result;
  const envelope = envelopeRecord(tier, plan, child.enforcement);
  const result = assemble(request, tier, session, out.warmupRuns, out, envelope, child.peakMemoryBytes, child.wallMs, modelPath);
  if (busyMs !== null && plan.cores) {
    const share = Math.max(0, busyMs - out.cpuMs) / (child.wallMs * plan.cores.length);
    result.interference = { foreignCpuShare: share, coresBusyMs: busyMs, childCpuMs: out.cpuMs };
    if (share > INTERFERENCE_WARNING)
      result.warnings.push(
        `other work used ~${(share * 100).toFixed(0)}% of the measuring cores during this measurement (figures may be inflated)`,
      );
  }
  return result;
}

/** Above this share of the measuring cores' time spent on other processes, a result carries a warning. */
const INTERFERENCE_WARNING = 0.05;

function assemble(
  request: MeasureRequest,
  tier: TierProfile,
  session: SessionSpec,
  warmup: number,
  out: RunnerOutput,
  envelope: EnvelopeRecord,
  cgroupPeak: number | null,
  wallMs: number,
  modelPath: string,
): MeasureResult {
  const s = envelope.slowdown;
  const scaledMs = out.warmMs.map((ms) => ms * s);
  const bootstrap = { resamples: request.bootstrap?.resamples ?? 1000, seed: request.bootstrap?.seed };
  const scaled = summarize(scaledMs);
  const raw = summarize(out.warmMs);
  return {
    model: modelPath,
    tier: tier.name,
    ...scaled,
    p50CI: bootstrapMedianCI(scaledMs, bootstrap),
    raw: { ...raw, p50CI: bootstrapMedianCI(out.warmMs, bootstrap) },
    samples: { rawMs: out.warmMs, scaledMs },
    warmup,
    coldStartMs: out.coldStartMs,
    coldStartScaledMs: out.coldStartMs * s,
    sessionCreateMs: out.sessionCreateMs,
    firstRunMs: out.firstRunMs,
    runtimeLoadMs: out.runtimeLoadMs,
    peakRssMB: out.peakRssBytes / 2 ** 20,
    cgroupPeakMB: envelope.enforced.memory.mechanism.startsWith('cgroup') && cgroupPeak !== null ? cgroupPeak / 2 ** 20 : null,
    checksum: out.checksum,
    checksumInputs: out.checksumInputs,
    inputShapes: out.inputShapes,
    inputRecord: out.inputRecord,
    distinctInputs: out.distinctInputs,
    session,
    envelope,
    nodeTimes: out.nodeTimes?.map((n) => ({ ...n, scaledMeanMs: n.meanMs * s })),
    host: { name: hostname(), cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, childCpusAllowed: out.cpusAllowedList },
    wallMs,
    measuredAt: new Date().toISOString(),
    stopReason: out.stopReason,
    noise: { noisy: false, foreignCpuShare: null, retakes: 0, threshold: 0, attemptShares: [] },
    warnings: [...envelope.warnings, ...out.warnings],
  };
}
