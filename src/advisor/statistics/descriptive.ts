/** Sorted copy, ascending; never mutates the caller's samples. */
export function sortedAscending(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * Quantile of already-sorted values by linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's and R's default), so our p50/p95 match what users compute themselves.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('mean of an empty sample');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  mean: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = sortedAscending(values);
  return { n: sorted.length, p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), mean: mean(sorted) };
}
