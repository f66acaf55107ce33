import { TierwiseError } from '../../common/errors';

/**
 * Holm–Bonferroni step-down adjustment: the i-th smallest of m p-values is multiplied by (m − i + 1),
 * made monotone and capped at 1. Returns adjusted p-values in input order; reject where adjusted ≤ α.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new TierwiseError('STATISTICS_INVALID', `p-value ${i} must be within [0, 1], got ${p}`);
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let runningMax = 0;
  order.forEach((index, position) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - position) * pValues[index]));
    adjusted[index] = runningMax;
  });
  return adjusted;
}
