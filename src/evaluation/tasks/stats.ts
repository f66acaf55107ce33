import type { MetricValue } from '../metrics';

/** Seed every bootstrap uses, so an interval is the same on every run over the same data. */
export const BOOTSTRAP_SEED = 20_260_101;
export const BOOTSTRAP_ROUNDS = 200;

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function seededRandom(seed = BOOTSTRAP_SEED): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Percentile bootstrap over units (images, samples): `statistic` receives the indices of one resample (with
 * repetition) and returns the metric on it. Fixed seed, `rounds` resamples, 2.5 % and 97.5 % percentiles.
 */
export function bootstrapInterval(
  units: number,
  statistic: (indices: number[]) => number,
  options: { rounds?: number; seed?: number } = {},
): { low: number; high: number } {
  return bootstrapIntervals(units, (ix) => [statistic(ix)], options)[0];
}

/** As bootstrapInterval for several statistics computed together on the same resamples (one pass). */
export function bootstrapIntervals(
  units: number,
  statistics: (indices: number[]) => number[],
  options: { rounds?: number; seed?: number } = {},
): { low: number; high: number }[] {
  if (units <= 1) return statistics(Array.from({ length: units }, (_, i) => i)).map((value) => ({ low: value, high: value }));
  const random = seededRandom(options.seed ?? BOOTSTRAP_SEED);
  const rounds = options.rounds ?? BOOTSTRAP_ROUNDS;
  const values: number[][] = [];
  const indices = new Array<number>(units);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < units; i++) indices[i] = Math.floor(random() * units);
    statistics(indices).forEach((value, k) => {
      values[k] ??= [];
      if (Number.isFinite(value)) values[k].push(value);
    });
  }
  return values.map((v) => {
    v.sort((a, b) => a - b);
    return { low: quantile(v, 0.025), high: quantile(v, 0.975) };
  });
}

/** A metric over `units` with its bootstrap interval; `statistic` over all units gives the value. */
export function bootstrapped(
  units: number,
  statistic: (indices: number[]) => number,
  options?: { rounds?: number; seed?: number },
): MetricValue {
  const all = Array.from({ length: units }, (_, i) => i);
  const value = statistic(all);
  return { value, ...bootstrapInterval(units, statistic, options), n: units };
}
