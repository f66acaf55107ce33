import { TierwiseError } from '../common/errors';
import { quantileSorted } from './stats';

/** Why a measurement's timed runs stopped. */
export const STOP_REASONS = ['fixed', 'budget', 'max-runs', 'ci-reached'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export const ADAPTIVE_DEFAULTS = { minRuns: 10, maxRuns: 10_000 };

/**
 * Distribution-free 95 % interval of the median from order statistics (the binomial/normal approximation:
 * ranks n/2 ± 1.96·√n/2), as a fraction of the median: (high − low) / 2 / median. Cheap enough to check while
 * measuring; the stored interval is still the bootstrap one, which agrees with it to within a run or two.
 */
export function medianRelHalfWidth(samples: readonly number[]): number {
  const n = samples.length;
  if (n < 3) return Infinity;
  const sorted = Float64Array.from(samples).sort();
  const half = (1.959964 * Math.sqrt(n)) / 2;
  const lo = Math.max(0, Math.floor(n / 2 - half));
  const hi = Math.min(n - 1, Math.ceil(n / 2 + half));
  const median = quantileSorted(sorted, 0.5);
  if (!(median > 0)) return Infinity;
  return (sorted[hi]! - sorted[lo]!) / 2 / median;
}

/** Whether to check the interval after `n` runs: every run early on, then at ~5 % steps (keeps the check O(n log n) overall amortised). */
export function shouldCheck(n: number, minRuns: number): boolean {
  return n >= minRuns && (n < 40 || n % Math.ceil(n / 20) === 0);
}

export function validateAdaptive(request: {
  adaptive?: { targetRelCi: number; maxRuns?: number; minRuns?: number };
  runs?: number;
  budgetMs?: number;
}): void {
  const a = request.adaptive!;
  if (!(a.targetRelCi > 0 && a.targetRelCi <= 0.5))
    throw new TierwiseError('MEASURE_INVALID', `adaptive targetRelCi must be in (0, 0.5], got ${a.targetRelCi}`);
  if (request.runs !== undefined)
    throw new TierwiseError('MEASURE_INVALID', 'adaptive effort decides the number of runs: do not give runs too');
  if (!(request.budgetMs !== undefined && request.budgetMs > 0))
    throw new TierwiseError('MEASURE_INVALID', 'adaptive effort needs a time budget (budgetMs > 0)');
  const min = a.minRuns ?? ADAPTIVE_DEFAULTS.minRuns;
  const max = a.maxRuns ?? ADAPTIVE_DEFAULTS.maxRuns;
  if (!(Number.isInteger(min) && min >= 3 && Number.isInteger(max) && max >= min))
    throw new TierwiseError('MEASURE_INVALID', `adaptive runs need 3 <= minRuns <= maxRuns (integers), got ${min}, ${max}`);
}
