import type { InputShapesRecord } from '../../onnx/input-spec';
import type { Candidate, Constraints, Crossover, NetworkProfile, Ranking, SkippedCombination } from '../types';

export const DEFAULT_METHOD_NOTE =
  'Warm latency only: each model is loaded once, warmed up, then run many times; cold start is measured apart. ' +
  "Samples come from dedicated, pinned cores with the tier's thread count, scaled by the tier's slowdown " +
  'threads / (cpus × coreSpeed) (method "scaled"), unless a measurement says otherwise. Network time is computed, ' +
  'not waited for: per hop, a TCP transfer model (one round trip per request–response exchange, handshake and TLS ' +
  'on a new connection, slow start from the initial window and its restart after idle, the loss bound when a loss ' +
  'rate is given; the transport is listed with the network) over every hop the request, the cut tensor and the ' +
  "response cross (cloud relays through edge), checked against the kernel's TCP by `tierwise netcheck`. A partition's head and tail samples, measured apart, are paired at random. " +
  'Ranks: Kruskal–Wallis across the feasible candidates, then each compared with its group leader (Mann–Whitney, ' +
  "Holm-corrected, and Cliff's delta); a negligible or non-significant difference shares the rank. " +
  'A measurement that other work disturbed (over 10 % of its cores by default) is retaken; one still noisy after its ' +
  'retakes is marked, and its p50 interval is widened downwards by the noise share, so it shares the rank of anything ' +
  'it may really be as fast as.';

export interface ReportOptions {
  title?: string;
  /** What accuracy means here (the task's primary metric), e.g. "mAP@0.5". */
  accuracyMetric?: string;
  /** How the samples were measured, in words (overrides the default note, e.g. when the method was "none"). */
  methodNote?: string;
  /** ISO timestamp; left out unless given, so the same ranking always renders the same report. */
  generatedAt?: string;
  /** The input shapes and fills each variant was measured with (by variant id; a partition's head's). */
  inputShapes?: Record<string, InputShapesRecord>;
  /** The input shapes and fills each built variant's build probed and verified with (by variant id). */
  buildInputShapes?: Record<string, InputShapesRecord>;
}

/** What verify recorded: measured p50 beside the predicted one, or why it did not run. */
export interface ReportVerification {
  status: 'measured' | 'not-run';
  reason?: string;
  scenario: string;
  variantId: string;
  predictedP50Ms: number;
  predictedNetworkMs: number;
  predictedComputeP50Ms: number;
  predictedInputDecodeMs?: number;
  measuredP50Ms?: number;
  gapPct?: number;
  flagged?: boolean;
  link?: { mbps: number; rttMs: number; transport: string };
  modelledNetworkMs?: number;
  serverDecodeP50Ms?: number;
  serverRunP50Ms?: number;
  unaccountedMs?: number;
  notes?: string[];
}

/** The report as a plain, JSON-serializable object: what `/report?format=json` returns, and what CSV and HTML render. */
export interface AdvisorReport {
  title: string;
  generatedAt?: string;
  baselineVariantId: string;
  recommendedId: string | null;
  recommendation: string | null;
  referenceId: string | null;
  network: NetworkProfile;
  constraints: Constraints;
  accuracyFloor: number | null;
  /** What accuracy (and accuracy drop) means in this report: the task's primary metric, e.g. "mAP@0.5". */
  accuracyMetric?: string;
  alpha: number;
  kruskalWallis: { h: number; df: number; p: number } | null;
  candidates: Candidate[];
  crossovers: Crossover[];
  skipped: SkippedCombination[];
  methodNote: string;
  /** By variant id: the input shapes and fills its figures were measured with (absent in reports before 0005). */
  inputShapes?: Record<string, InputShapesRecord>;
  /** By built variant id: the input shapes and fills its build was probed and checked with. */
  buildInputShapes?: Record<string, InputShapesRecord>;
  /** With the study option effort.verify: the top recommendation measured on a real stack (src/netlab/verify.ts). */
  verification?: ReportVerification;
}

export function buildReport(ranking: Ranking & { crossovers?: Crossover[] }, options: ReportOptions = {}): AdvisorReport {
  const recommended = ranking.candidates.find((c) => c.id === ranking.recommendedId);
  const report: AdvisorReport = {
    title: options.title ?? 'Tierwise deployment study',
    baselineVariantId: ranking.baselineVariantId,
    recommendedId: ranking.recommendedId,
    recommendation: recommended?.explanation ?? null,
    referenceId: ranking.referenceId,
    network: { ...ranking.network },
    constraints: { ...ranking.constraints },
    accuracyFloor: ranking.accuracyFloor,
    alpha: ranking.alpha,
    kruskalWallis: ranking.kruskalWallis,
    candidates: ranking.candidates.map((c) => structuredClone(c)),
    crossovers: (ranking.crossovers ?? []).map((c) => ({ ...c })),
    skipped: ranking.skipped.map((s) => ({ ...s })),
    methodNote: options.methodNote ?? DEFAULT_METHOD_NOTE,
  };
  if (options.generatedAt) report.generatedAt = options.generatedAt;
  if (options.accuracyMetric) report.accuracyMetric = options.accuracyMetric;
  if (options.inputShapes) report.inputShapes = structuredClone(options.inputShapes);
  if (options.buildInputShapes && Object.keys(options.buildInputShapes).length > 0)
    report.buildInputShapes = structuredClone(options.buildInputShapes);
  return report;
}
