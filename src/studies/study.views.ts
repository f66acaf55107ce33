import type { InputSpec } from '../onnx/input-spec';
import type { StudyStatus } from './study-status';

export type { StudyStatus } from './study-status';

export interface StudyFailure {
  job: string;
  variantId?: string;
  tier?: string;
  code: string;
  message: string;
  at: string;
}

export interface StudyView {
  id: string;
  modelId: string;
  datasetId: string | null;
  status: StudyStatus;
  phase: string | null;
  progress: number;
  jobsDone: number;
  jobsTotal: number;
  tiers: string[];
  scenarios: string[];
  operators: string[];
  constraints: Record<string, number>;
  network: { mobileEdgeMbps: number; edgeCloudMbps: number; rttMs: number };
  effort: {
    warmup: number;
    runs: number;
    timeBudgetMs?: number;
    evalLimit?: number;
    /** `adaptive`: runs continue until the p50's 95 % interval is within ±targetRelCi, or the time budget, or maxRuns. */
    mode?: 'fixed' | 'adaptive';
    targetRelCi?: number;
    maxRuns?: number;
  };
  /** The input spec given at creation (src/onnx/input-spec.ts), null when none. */
  inputs: InputSpec | null;
  webhookUrl: string | null;
  variantIds: string[];
  failures: StudyFailure[];
  error: string | null;
  recommendation: { variantId: string; scenario: string; explanation: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What the study's events stream carries. */
export interface StudyEvent {
  studyId: string;
  status: StudyStatus;
  phase: string | null;
  progress: number;
  jobsDone: number;
  jobsTotal: number;
  error: string | null;
  at: string;
}
