import type { Constraints, Violation } from './types';

/** Room for floating-point noise: 82.52 − 81.66 is 0.8599999…, which must still meet a 0.86-point limit. */
const SLACK = 1e-9;

export interface FeasibilityFigures {
  /** Points lost against the baseline; null when unknown. */
  accuracyDrop: number | null;
  p95Ms: number;
  sizeBytes: number;
  peakMemoryBytes: number;
  /** Fidelity to the baseline (0–1); null when unknown. */
  fidelity?: number | null;
}

/** Every constraint the candidate breaks, with how far; an unknown figure cannot be shown to comply. */
export function findViolations(figures: FeasibilityFigures, constraints: Constraints): Violation[] {
  const violations: Violation[] = [];
  const check = (constraint: keyof Constraints, actual: number | null): void => {
    const limit = constraints[constraint];
    if (limit === undefined) return;
    if (actual === null) violations.push({ constraint, limit, actual: null, by: null });
    else if (actual > limit + SLACK) violations.push({ constraint, limit, actual, by: actual - limit });
  };
  check('maxAccuracyDrop', figures.accuracyDrop);
  check('latencyBudgetMs', figures.p95Ms);
  check('maxModelBytes', figures.sizeBytes);
  check('maxMemoryBytes', figures.peakMemoryBytes);
  // a floor, not a ceiling: fidelity below the limit fails
  if (constraints.minFidelity !== undefined) {
    const actual = figures.fidelity ?? null;
    const limit = constraints.minFidelity;
    if (actual === null) violations.push({ constraint: 'minFidelity', limit, actual: null, by: null });
    else if (actual < limit - SLACK) violations.push({ constraint: 'minFidelity', limit, actual, by: limit - actual });
  }
  return violations;
}
