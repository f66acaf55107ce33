/** The advisor's input and output shapes. Pure data: the study orchestration fills them from Postgres. */
import type { Link, RequestEncoding, RequestPayload, Transport } from '../benchmark/network';

/**
 * A tier's name: the paper's mobile, edge and cloud by default, or any configured tier (`rpi5`, `orin`); see
 * benchmark/topology.ts.
 */
export type Tier = string;

/** On-device per tier (`orin`), or a partition `A|B`: head on A, tail on B, A before B on a path from the origin. */
export type ScenarioId = string;

export interface NetworkProfile {
  mobileEdgeMbps: number;
  edgeCloudMbps: number;
  /** Round-trip time of each hop; a request–response pays it once per hop (src/benchmark/network.ts). */
  rttMs: number;
  /** A link's own round-trip time, when it differs from `rttMs` (a what-if moves each link's RTT apart). */
  mobileEdgeRttMs?: number;
  edgeCloudRttMs?: number;
  /** How TCP is used on the links; unset fields take the mobile defaults (MOBILE_TRANSPORT). */
  transport?: Partial<Transport>;
  /**
   * The study's own topology: links between named tiers (bandwidth each way, RTT, jitter, transport). When given,
   * they replace the mobile–edge–cloud fields above (which then only keep old readers working).
   */
  links?: Link[];
  /** Where the request starts and the response returns; default mobile, or the first tier of the links. */
  origin?: string;
  /** The preset the links came from (`paper`), when they did. */
  preset?: string;
  /** The paths the study's scenarios were drawn from (`[["rpi5", "orin", "cloud-gpu"]]`), origin first. */
  paths?: string[][];
  /** How the client sends its input (raw tensor, the dataset's encoded sample, JSON/base64); unset: see `request`. */
  requestEncoding?: RequestEncoding;
  /** The request the costs were computed for: its encoding (given or assumed) and bytes; set when the study is ranked. */
  request?: RequestPayload;
}

export interface Accuracy {
  /** Points, 0–100 (top-1 %, F1 %, or fidelity to the baseline when the dataset has no labels). */
  value: number;
  low: number;
  high: number;
}

export interface VariantInfo {
  id: string;
  /** The operator chain, e.g. `["distilled", "sptq"]`; `[]` or `["identity"]` is the fp32 baseline. */
  operators: string[];
  /** A noun phrase without article that reads in a sentence: "distilled model with int8 quantization". */
  label: string;
  sizeBytes: number;
  accuracy?: Accuracy;
  /** Label-free fidelity to the baseline's outputs (the task's metric), 0–1; the baseline's is 1. */
  fidelity?: number;
}

export type MeasuredPart = 'whole' | 'head' | 'tail';

/** Warm latency of one (variant, tier, part[, cut]) after tier scaling; samples are what the statistics use. */
export interface TierMeasurement {
  variantId: string;
  tier: Tier;
  part: MeasuredPart;
  /** The cut tensor's id for a head or tail; it keys `Payloads.cutBytes`. */
  cut?: string;
  samplesMs: number[];
  /** Informational: end-to-end figures are recomputed from `samplesMs`. */
  p50Ms?: number;
  p95Ms?: number;
  peakMemoryBytes: number;
  /**
   * Set when the measurement stayed noisy after its retakes: the share (0–1) of the measuring cores other work
   * took. The ranking widens the candidate's p50 interval downwards by it (see grouping.ts).
   */
  noisyShare?: number;
}

export interface Payloads {
  /** What the request carries from mobile to wherever the model starts (e.g. the JPEG, or the raw tensor). */
  requestBytes: number;
  /** What returns to mobile (logits, labels). */
  responseBytes: number;
  /** The partition's intermediate tensor, per cut id. */
  cutBytes: Record<string, number>;
}

export interface Constraints {
  /** Points of accuracy the user tolerates losing against the baseline variant. */
  maxAccuracyDrop?: number;
  /** Bound on the end-to-end p95. */
  latencyBudgetMs?: number;
  maxModelBytes?: number;
  maxMemoryBytes?: number;
  /** Lowest fidelity to the baseline's outputs accepted (0–1, the task's label-free metric: top-1 agreement, mask IoU …). */
  minFidelity?: number;
}

export type ConstraintName = keyof Constraints;

export interface StudyInput {
  baselineVariantId: string;
  variants: VariantInfo[];
  measurements: TierMeasurement[];
  payloads: Payloads;
  network?: Partial<NetworkProfile>;
  constraints?: Constraints;
  /** What accuracy means here, e.g. "mAP@0.5" or "top-1 accuracy" (named in the report). */
  accuracyMetric?: string;
  /** Default: mobile, edge, cloud, mobile|edge, edge|cloud; combinations without measurements are listed as skipped. */
  scenarios?: ScenarioId[];
  /** Significance level of the rank tests (default 0.05). */
  alpha?: number;
  /** Seeds the resampling that pairs a partition's head and tail samples (default 1). */
  seed?: number;
}

export interface Violation {
  constraint: ConstraintName;
  limit: number;
  /** null when the figure is unknown (e.g. no accuracy was measured), which fails the constraint too. */
  actual: number | null;
  /** How far past the limit, in the constraint's unit; null when `actual` is unknown. */
  by: number | null;
}

export interface LatencyFigures {
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  /** Computed network share (request + cut tensor + response); constant per sample. */
  networkMs: number;
  /**
   * Where a hop sits at a slow-start restart boundary (the kernel restarts from either of two windows from one
   * request to the next): the network share from each; `networkMs` is the likelier.
   */
  networkSpanMs?: { lowMs: number; highMs: number };
  /**
   * The tier the model starts on turning the input into tensors: on a tier the request reaches over a link, the
   * request as sent (an encoded image decoded and preprocessed, JSON/base64 unwrapped); on the origin, the sample as
   * the client holds it (nothing for raw tensors). Measured, constant per sample, in p50/p95/mean; absent when 0 or
   * not measured (`network.request.decode` says why).
   */
  inputDecodeMs?: number;
  computeP50Ms: number;
  samples: number;
}

/** How a ranked candidate compared with the leader it was tested against (the group leader when it was reached). */
export interface LeaderComparison {
  leaderId: string;
  cliffsDelta: number;
  magnitude: 'negligible' | 'small' | 'medium' | 'large';
  /** Mann–Whitney p-value, Holm-adjusted over the ranking's leader comparisons. */
  pAdjusted: number;
}

export interface Candidate {
  /** `variantId@scenario`, plus `#cut` for a partition. */
  id: string;
  variantId: string;
  label: string;
  operators: string[];
  /** Short name for sentences and charts: `edge/dsptq`. */
  shortName: string;
  scenario: ScenarioId;
  cut?: string;
  tiers: Tier[];
  latency: LatencyFigures;
  accuracy: number | null;
  /** Baseline accuracy minus this one's, in points; null when either is unknown. */
  accuracyDrop: number | null;
  sizeBytes: number;
  peakMemoryBytes: number;
  feasible: boolean;
  violations: Violation[];
  pareto: boolean;
  /** Dense rank among feasible candidates (1 = best); tied candidates share it; null when infeasible. */
  rank: number | null;
  /** Set when a measurement behind it stayed noisy: the largest foreign share (0–1) of its measuring cores. */
  noisyShare?: number;
  comparison?: LeaderComparison;
  explanation: string;
}

export interface SkippedCombination {
  variantId: string;
  scenario: ScenarioId;
  reason: string;
}

export interface Ranking {
  baselineVariantId: string;
  network: NetworkProfile;
  constraints: Constraints;
  /** Baseline accuracy − maxAccuracyDrop, when both are known. */
  accuracyFloor: number | null;
  alpha: number;
  /** Ranked candidates first (by rank, then accuracy), then infeasible ones by p50. */
  candidates: Candidate[];
  recommendedId: string | null;
  /** What explanations compare against: the baseline on mobile, where the request arrives. */
  referenceId: string | null;
  kruskalWallis: { h: number; df: number; p: number } | null;
  skipped: SkippedCombination[];
}

/** `from-to` of a link: `mobile-edge`, `edge-cloud`, or a study's own (`rpi5-orin`). */
export type LinkName = string;

export interface Crossover {
  link: LinkName;
  /** The bandwidth above which `to` is the top recommendation, within half the sweep's precision (±0.5% by default). */
  mbps: number;
  /** Top recommendation just below `mbps` (null: nothing feasible there). */
  fromId: string | null;
  toId: string | null;
  sentence: string;
}
