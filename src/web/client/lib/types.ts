import type { NetworkProfile } from '../../../advisor/types';
/** The shapes of the api's answers that the page reads (a subset of the OpenAPI document's). */
export interface TensorSpecView {
  name: string;
  shape?: Array<number | string>;
  elemType?: string;
}
export interface VariantView {
  id: string;
  origin: string;
  operators: string[];
}
export interface ModelView {
  id: string;
  name: string;
  inputs: TensorSpecView[];
  outputs: TensorSpecView[];
  sizeBytes: number;
  variants: VariantView[];
  /** What the model does, how its outputs are decoded, and whether the task is the upload's guess. */
  task: string;
  taskGuessed: boolean;
  postprocess: Record<string, unknown>;
  createdAt: string;
}
export interface DatasetView {
  id: string;
  name: string;
  kind: string;
  sampleCount: number;
  labelled: boolean;
  sizeBytes: number;
  createdAt: string;
}
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
export interface StudyFailure {
  job: string;
  variantId?: string;
  tier?: string;
  code: string;
  message: string;
  at?: string;
}
export interface StudyView {
  id: string;
  modelId: string;
  datasetId: string | null;
  status: string;
  phase: string | null;
  progress: number;
  jobsDone: number;
  jobsTotal: number;
  scenarios: string[];
  operators: string[];
  constraints: Record<string, number>;
  network: NetworkProfile;
  failures: StudyFailure[];
  error: string | null;
  recommendation: { variantId: string; scenario: string; explanation: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface StudyProgress {
  status: string;
  phase: string | null;
  progress: number;
  jobsDone: number;
  jobsTotal: number;
  failures?: StudyFailure[];
  error?: string | null;
}
export interface MeasurementView {
  id: string;
  variantId: string;
  tier: string;
  part: string;
  cut: string | null;
  method: string;
  slowdown: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  p50CiLowMs: number;
  p50CiHighMs: number;
  coldStartMs: number;
  peakRssBytes: number;
  envelope: unknown;
  samplesMs?: number[];
  createdAt: string;
}
export type { StudyJobView } from '../../../studies/study-job-list';
import { TERMINAL_STATUSES } from '../../../studies/study-status';
import { DEFAULT_STUDY_SCENARIOS, STUDY_OPERATORS, STUDY_SCENARIOS } from '../../../studies/study-options';

// The server's vocabulary, widened to strings: the page compares them with whatever the API returns.
export const TERMINAL: readonly string[] = TERMINAL_STATUSES;
export const SCENARIOS: readonly string[] = STUDY_SCENARIOS;
export const DEFAULT_SCENARIOS: readonly string[] = DEFAULT_STUDY_SCENARIOS;
export const OPERATORS: readonly string[] = STUDY_OPERATORS;
export { WHITE_BOX_OPERATORS } from '../../../models/white-box';
export { TASKS } from '../../../evaluation/tasks/task-names';
