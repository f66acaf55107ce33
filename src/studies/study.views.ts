import type { NetworkProfile } from '../advisor/types';
import type { TierProfile } from '../benchmark/topology';
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
  /** The paper's fields, plus the study's own links, origin and paths when it named a topology (advisor NetworkProfile). */
  network: NetworkProfile;
  effort: {
    warmup: number;
    runs: number;
    timeBudgetMs?: number;
    evalLimit?: number;
    /** `adaptive`: runs continue until the p50's 95 % interval is within ±targetRelCi, or the time budget, or maxRuns. */
    mode?: 'fixed' | 'adaptive';
    targetRelCi?: number;
    maxRuns?: number;
    verify?: boolean;
  };
  /** The input spec given at creation (src/onnx/input-spec.ts), null when none. */
  inputs: InputSpec | null;
  /** The profile of each tier as resolved at creation; null for a study made before tiers were data. */
  tierProfiles: Record<string, TierProfile> | null;
  webhookUrl: string | null;
  variantIds: string[];
  failures: StudyFailure[];
  error: string | null;
  recommendation: { variantId: string; scenario: string; explanation: string; verification?: Record<string, unknown> | null } | null;
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
