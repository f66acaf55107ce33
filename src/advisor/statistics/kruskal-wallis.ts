import { TierwiseError } from '../../common/errors';
import { chiSquareSurvival } from './distributions';
import { rankWithTies } from './ranks';

export interface KruskalWallisResult {
  /** H corrected for ties (H / (1 − Σ(t³−t)/(N³−N))). */
  h: number;
  df: number;
  /** P(χ²(k−1) ≥ H): the large-sample approximation every statistics package uses for k ≥ 3 or n ≥ 5. */
  p: number;
  n: number;
  /** Mean rank of each group in the pooled ranking, in input order (Conover's post-hoc reuses them). */
  meanRanks: number[];
}

/** Kruskal–Wallis H test: do k independent samples come from the same distribution? */
export function kruskalWallis(groups: ReadonlyArray<ArrayLike<number>>): KruskalWallisResult {
  if (groups.length < 2) throw new TierwiseError('STATISTICS_INVALID', `Kruskal–Wallis needs at least 2 groups, got ${groups.length}`);
  groups.forEach((group, i) => {
    if (group.length === 0) throw new TierwiseError('STATISTICS_INVALID', `Kruskal–Wallis group ${i} is empty`);
  });
  const pooled: number[] = [];
  for (const group of groups) for (let i = 0; i < group.length; i++) pooled.push(group[i]);
  const n = pooled.length;
  const { ranks, tieTerm } = rankWithTies(pooled);

  let offset = 0;
  let sumOfSquaredRankSumsOverSize = 0;
  const meanRanks: number[] = [];
  for (const group of groups) {
    let rankSum = 0;
    for (let i = 0; i < group.length; i++) rankSum += ranks[offset + i];
    offset += group.length;
    sumOfSquaredRankSumsOverSize += (rankSum * rankSum) / group.length;
    meanRanks.push(rankSum / group.length);
  }
  const df = groups.length - 1;
  const correction = 1 - tieTerm / (n * n * n - n);
  // Every value identical: no ordering exists, so there is no evidence of any difference.
  if (correction <= 0) return { h: 0, df, p: 1, n, meanRanks };
  const uncorrected = (12 / (n * (n + 1))) * sumOfSquaredRankSumsOverSize - 3 * (n + 1);
  const h = Math.max(0, uncorrected / correction);
  return { h, df, p: chiSquareSurvival(h, df), n, meanRanks };
}
