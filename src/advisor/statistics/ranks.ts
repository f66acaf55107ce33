export interface RankedPool {
  /** Mid-ranks (1-based, ties share the average of the ranks they span), in the order of the input values. */
  ranks: Float64Array;
  /** Σ (t³ − t) over every group of t tied values: the tie term of the rank tests' variance corrections. */
  tieTerm: number;
}

/** Ranks a pooled sample with average ranks for ties, the convention every rank test here relies on. */
export function rankWithTies(values: ArrayLike<number>): RankedPool {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]] = averageRank;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  return { ranks, tieTerm };
}
