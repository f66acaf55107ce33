import { TierwiseError } from '../../common/errors';
import { studentTTwoSided } from './distributions';
import { holmAdjust } from './holm';
import { kruskalWallis } from './kruskal-wallis';
import { rankWithTies } from './ranks';

export interface PairwiseResult {
  a: number;
  b: number;
  statistic: number;
  p: number;
  /** Holm-adjusted over the pairs requested in this call. */
  pAdjusted: number;
}

/**
 * Conover–Iman post-hoc test after Kruskal–Wallis (the paper's choice): pairwise t-tests on the pooled mean
 * ranks, with the pooled rank variance S² and df = N − k. Pairs default to every pair of groups.
 */
export function conoverPosthoc(
  groups: ReadonlyArray<ArrayLike<number>>,
  pairs?: ReadonlyArray<readonly [number, number]>,
): PairwiseResult[] {
  const overall = kruskalWallis(groups);
  const k = groups.length;
  const n = overall.n;
  if (n <= k) throw new TierwiseError('STATISTICS_INVALID', `Conover's test needs more observations (${n}) than groups (${k})`);
  const pooled: number[] = [];
  for (const group of groups) for (let i = 0; i < group.length; i++) pooled.push(group[i]);
  const { ranks } = rankWithTies(pooled);
  let sumOfSquaredRanks = 0;
  for (const r of ranks) sumOfSquaredRanks += r * r;
  const rankVariance = (sumOfSquaredRanks - (n * (n + 1) * (n + 1)) / 4) / (n - 1);
  const df = n - k;
  const scale = (rankVariance * (n - 1 - overall.h)) / df;

  const wanted = pairs ?? groups.flatMap((_, a) => groups.slice(a + 1).map((__, offset) => [a, a + 1 + offset] as const));
  const raw = wanted.map(([a, b]) => {
    if (a === b || !groups[a] || !groups[b])
      throw new TierwiseError('STATISTICS_INVALID', `Conover pair (${a}, ${b}) does not name two different groups`);
    const spread = Math.sqrt(scale * (1 / groups[a].length + 1 / groups[b].length));
    const difference = Math.abs(overall.meanRanks[a] - overall.meanRanks[b]);
    const statistic = spread > 0 ? difference / spread : difference > 0 ? Infinity : 0;
    const p = statistic === Infinity ? 0 : studentTTwoSided(statistic, df);
    return { a, b, statistic, p };
  });
  const adjusted = holmAdjust(raw.map((r) => r.p));
  return raw.map((r, i) => ({ ...r, pAdjusted: adjusted[i] }));
}
