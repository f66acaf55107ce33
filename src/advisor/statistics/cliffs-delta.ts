import { TierwiseError } from '../../common/errors';
import { sortedAscending } from './descriptive';

export type EffectMagnitude = 'negligible' | 'small' | 'medium' | 'large';

export interface CliffsDeltaResult {
  /** P(x > y) − P(x < y) over all pairs, in [−1, 1]; negative means x tends to be smaller (faster). */
  delta: number;
  magnitude: EffectMagnitude;
}

/** Romano et al. (2006) thresholds, the ones software-engineering studies (and the paper) use. */
export function cliffsMagnitude(delta: number): EffectMagnitude {
  const size = Math.abs(delta);
  if (size < 0.147) return 'negligible';
  if (size < 0.33) return 'small';
  if (size < 0.474) return 'medium';
  return 'large';
}

/** Index of the first element ≥ value (or > value when `strict`) in sorted values. */
function lowerBound(sorted: Float64Array, value: number, strict: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (strict ? sorted[middle] <= value : sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Cliff's delta in O((n₁ + n₂) log n₂) rather than over all n₁·n₂ pairs, so 500-sample groups stay cheap. */
export function cliffsDelta(x: ArrayLike<number>, y: ArrayLike<number>): CliffsDeltaResult {
  if (x.length === 0 || y.length === 0)
    throw new TierwiseError('STATISTICS_INVALID', `Cliff's delta needs two non-empty samples, got sizes ${x.length} and ${y.length}`);
  const sortedY = sortedAscending(y);
  let greater = 0;
  let less = 0;
  for (let i = 0; i < x.length; i++) {
    less += sortedY.length - lowerBound(sortedY, x[i], true);
    greater += lowerBound(sortedY, x[i], false);
  }
  const delta = (greater - less) / (x.length * y.length);
  return { delta, magnitude: cliffsMagnitude(delta) };
}
