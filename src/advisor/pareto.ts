export interface ParetoPoint {
  latencyMs: number;
  /** null: unknown, so it cannot be shown optimal unless no point has an accuracy at all. */
  accuracy: number | null;
}

/**
 * Pareto front over (lower latency, higher accuracy): a point is on it when no other point is at least as fast
 * and at least as accurate and strictly better in one. Quadratic, which is fine for a study's ~100 candidates.
 */
export function paretoFront(points: readonly ParetoPoint[]): boolean[] {
  const anyAccuracy = points.some((p) => p.accuracy !== null);
  const score = (p: ParetoPoint): number => (anyAccuracy ? (p.accuracy ?? Number.NaN) : 0);
  return points.map((p, i) => {
    const accuracy = score(p);
    if (Number.isNaN(accuracy)) return false;
    return !points.some((q, j) => {
      if (j === i) return false;
      const other = score(q);
      if (Number.isNaN(other)) return false;
      return q.latencyMs <= p.latencyMs && other >= accuracy && (q.latencyMs < p.latencyMs || other > accuracy);
    });
  });
}
