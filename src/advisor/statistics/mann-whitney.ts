import { TierwiseError } from '../../common/errors';
import { normalTwoSided } from './distributions';
import { rankWithTies } from './ranks';

export interface MannWhitneyResult {
  /** U of the first sample: the number of (x, y) pairs with x > y, ties counting ½. */
  u: number;
  /** Standardized U with tie-corrected variance and a ½ continuity correction (scipy's `asymptotic` method). */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  p: number;
}

/** Mann–Whitney U test (Wilcoxon rank-sum), two-sided, normal approximation with tie correction. */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0)
    throw new TierwiseError('STATISTICS_INVALID', `Mann–Whitney needs two non-empty samples, got sizes ${n1} and ${n2}`);
  const pooled = new Float64Array(n1 + n2);
  for (let i = 0; i < n1; i++) pooled[i] = x[i];
  for (let j = 0; j < n2; j++) pooled[n1 + j] = y[j];
  const { ranks, tieTerm } = rankWithTies(pooled);
  let rankSumX = 0;
  for (let i = 0; i < n1; i++) rankSumX += ranks[i];
  const u = rankSumX - (n1 * (n1 + 1)) / 2;

  const n = n1 + n2;
  const expected = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, p: 1 };
  const deviation = Math.max(0, Math.abs(u - expected) - 0.5);
  const z = (Math.sign(u - expected) * deviation) / Math.sqrt(variance);
  return { u, z, p: Math.min(1, normalTwoSided(z)) };
}
