import { WHITE_BOX_OPERATORS } from '../models/white-box';

/** What a study may ask for. Plain constants (no Nest): the DTOs, the planner, the CLI and the web page share them. */
export const STUDY_SCENARIOS = ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud', 'mobile|cloud'] as const;
/** The scenarios a study runs when it names none (every single tier and the two neighbouring partitions). */
export const DEFAULT_STUDY_SCENARIOS = [
  'mobile',
  'edge',
  'cloud',
  'mobile|edge',
  'edge|cloud',
] as const satisfies readonly (typeof STUDY_SCENARIOS)[number][];
export const STUDY_OPERATORS = ['identity', ...WHITE_BOX_OPERATORS, 'sptq', 'dynamic-int8', 'prune', 'early-exit'] as const;

/** Effort modes: `fixed` runs a set count (or a time budget); `adaptive` runs until the p50's interval is narrow enough. */
export const EFFORT_MODES = ['fixed', 'adaptive'] as const;
/** Adaptive effort's defaults: the p50's 95 % interval within ±2 %, or 60 s per measurement, whichever comes first. */
export const DEFAULT_TARGET_REL_CI = 0.02;
export const DEFAULT_ADAPTIVE_BUDGET_MS = 60_000;
