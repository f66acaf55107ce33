/**
 * Descriptive statistics for latency samples. One quantile definition everywhere: linear interpolation
 * between closest ranks (Hyndman & Fan type 7, the default of numpy, R and Excel's PERCENTILE.INC):
 * for sorted x[0..n-1], q(p) = x[h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]) with h = (n − 1)p.
 * `std` is the sample standard deviation (n − 1 denominator).
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile level must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function quantile(samples: ArrayLike<number>, p: number): number {
  return quantileSorted(sortedCopy(samples), p);
}

export function sortedCopy(samples: ArrayLike<number>): Float64Array {
  return Float64Array.from(samples).sort();
}

export function mean(samples: ArrayLike<number>): number {
  if (samples.length === 0) throw new RangeError('mean of an empty sample');
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  return sum / samples.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(samples: ArrayLike<number>): number {
  const n = samples.length;
  if (n < 2) return 0;
  const m = mean(samples);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (samples[i]! - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** Coefficient of variation: std / mean (sample std). */
export function coefficientOfVariation(samples: ArrayLike<number>): number {
  return std(samples) / mean(samples);
}

/** A small, fast, seedable PRNG (mulberry32) so bootstrap intervals repeat exactly for the same samples. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Interval {
  low: number;
  high: number;
  level: number;
  resamples: number;
  seed: number;
}

/** Percentile bootstrap confidence interval of the median (resample with replacement, type-7 quantiles). */
export function bootstrapMedianCI(
  samples: ArrayLike<number>,
  options: { level?: number; resamples?: number; seed?: number } = {},
): Interval {
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0x7137;
  const n = samples.length;
  if (n === 0) throw new RangeError('bootstrap of an empty sample');
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const draw = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) draw[i] = samples[Math.floor(random() * n)]!;
    medians[b] = quantileSorted(draw.sort(), 0.5);
  }
  medians.sort();
  const alpha = (1 - level) / 2;
  return { low: quantileSorted(medians, alpha), high: quantileSorted(medians, 1 - alpha), level, resamples, seed };
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = sortedCopy(samples);
  return {
    n: sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    mean: mean(sorted),
    std: std(sorted),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}
