import { cliffsDelta, holmAdjust, kruskalWallis, mannWhitney, type KruskalWallisResult } from './statistics';
import type { LeaderComparison } from './types';

export interface RankGroups {
  /** Dense ranks, 1-based, in input order. */
  ranks: number[];
  /** The comparison that placed each candidate; undefined for the first. */
  comparisons: Array<LeaderComparison | undefined>;
  kruskalWallis: KruskalWallisResult | null;
}

/**
 * Which of the (p50-ordered) candidates are meaningfully different. Kruskal–Wallis across all of them first:
 * without evidence of any difference, all share rank 1. Otherwise one pass compares each candidate with the
 * current group leader — O(n) tests, and no chaining of small steps into a big one (A≈B, B≈C, A≠C). A candidate
 * starts a new group when Cliff's delta is at least small and Mann–Whitney is significant; the n−1 p-values then
 * get Holm's correction as one family, and a boundary that does not survive it merges into the rank before.
 */
export function groupByLatency(ordered: ReadonlyArray<{ id: string; samples: Float64Array }>, alpha: number): RankGroups {
  if (ordered.length === 0) return { ranks: [], comparisons: [], kruskalWallis: null };
  if (ordered.length === 1) return { ranks: [1], comparisons: [undefined], kruskalWallis: null };

  const overall = kruskalWallis(ordered.map((c) => c.samples));
  const anyDifference = overall.p < alpha;
  const raw: Array<{ leader: number; delta: number; magnitude: LeaderComparison['magnitude']; p: number; boundary: boolean }> = [];
  let leader = 0;
  for (let i = 1; i < ordered.length; i++) {
    const effect = cliffsDelta(ordered[i].samples, ordered[leader].samples);
    const { p } = mannWhitney(ordered[i].samples, ordered[leader].samples);
    const boundary = anyDifference && effect.magnitude !== 'negligible' && p < alpha;
    raw.push({ leader, delta: effect.delta, magnitude: effect.magnitude, p, boundary });
    if (boundary) leader = i;
  }
  const adjusted = holmAdjust(raw.map((r) => r.p));

  const ranks = [1];
  const comparisons: Array<LeaderComparison | undefined> = [undefined];
  raw.forEach((r, index) => {
    const survives = r.boundary && adjusted[index] < alpha;
    ranks.push(ranks[ranks.length - 1] + (survives ? 1 : 0));
    comparisons.push({ leaderId: ordered[r.leader].id, cliffsDelta: r.delta, magnitude: r.magnitude, pAdjusted: adjusted[index] });
  });
  return { ranks, comparisons, kruskalWallis: overall };
}
