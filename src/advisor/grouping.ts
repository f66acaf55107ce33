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
 * Next to a noisy candidate a boundary also needs the p50 intervals apart (see `separated`).
 */
export interface GroupedCandidate {
  id: string;
  samples: Float64Array;
  /** Foreign share of the measuring cores when a measurement behind it stayed noisy (0 or absent: quiet). */
  noisyShare?: number;
  /**
   * The constant part of every sample (the computed network share and the input decode measured apart), which
   * noise on the measuring cores cannot have inflated.
   */
  fixedMs?: number;
}

/**
 * The 95 % interval of a candidate's p50 (order statistics, distribution-free), widened downwards when it is
 * noisy: other work only ever adds time, and with share s of the cores taken the compute part can have been
 * inflated by up to 1/(1 − s), so the quiet p50 may lie as low as low × (1 − s). The top is left alone.
 */
export function p50Interval(c: GroupedCandidate): { low: number; high: number } {
  const sorted = Float64Array.from(c.samples).sort();
  const n = sorted.length;
  const half = (1.959964 * Math.sqrt(n)) / 2;
  const low = sorted[Math.max(0, Math.floor(n / 2 - half))]!;
  const high = sorted[Math.min(n - 1, Math.ceil(n / 2 + half))]!;
  const share = c.noisyShare ?? 0;
  if (!(share > 0)) return { low, high };
  const fixed = c.fixedMs ?? 0;
  return { low: fixed + Math.max(0, low - fixed) * (1 - Math.min(1, share)), high };
}

/**
 * Noisy figures are uncertain, not slower: a boundary next to a noisy candidate also needs their p50 intervals —
 * the noisy one's widened by its noise share — to be apart. So a candidate whose figure other work inflated shares
 * the rank of any candidate it may really be as fast as (and accuracy then decides within the rank), instead of
 * losing to it on the host's load. Breaking ties in favour of quiet figures was the alternative; it was not chosen
 * because it would decide by the host's state, not the candidate's, and would still rank an inflated figure as slower.
 */
function separated(slower: GroupedCandidate, faster: GroupedCandidate): boolean {
  if (!((slower.noisyShare ?? 0) > 0 || (faster.noisyShare ?? 0) > 0)) return true;
  return p50Interval(slower).low > p50Interval(faster).high;
}

export function groupByLatency(ordered: ReadonlyArray<GroupedCandidate>, alpha: number): RankGroups {
  if (ordered.length === 0) return { ranks: [], comparisons: [], kruskalWallis: null };
  if (ordered.length === 1) return { ranks: [1], comparisons: [undefined], kruskalWallis: null };

  const overall = kruskalWallis(ordered.map((c) => c.samples));
  const anyDifference = overall.p < alpha;
  const raw: Array<{ leader: number; delta: number; magnitude: LeaderComparison['magnitude']; p: number; boundary: boolean }> = [];
  let leader = 0;
  for (let i = 1; i < ordered.length; i++) {
    const effect = cliffsDelta(ordered[i].samples, ordered[leader].samples);
    const { p } = mannWhitney(ordered[i].samples, ordered[leader].samples);
    const boundary = anyDifference && effect.magnitude !== 'negligible' && p < alpha && separated(ordered[i], ordered[leader]);
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
