/**
 * Fair share between teams, as BullMQ priorities (lower number runs first; equal numbers run first in, first out).
 *
 * A study's jobs are enqueued phase by phase, and each phase's jobs get
 *
 *     priority = inFlight(team) + rank(study within team)
 *
 * where `inFlight` counts the team's studies that have not ended (this one included) and `rank` is how many of
 * them are older than this one. A team with one study gets 1; a team with 20 queued gets 20 for its oldest and
 * 39 for its newest. So a light team's jobs go ahead of a heavy team's backlog, and a heavy team's own studies keep
 * their order. Both numbers are re-read at every phase, so a team that drains its backlog gets its priority back.
 *
 * Why priorities and not per-team queues served round-robin: the bench queues are per tier, and tier workers join a
 * tier by consuming its one queue; per-team queues would mean every worker discovering and polling a queue per team.
 * Priorities keep one queue per tier, are honoured by BullMQ atomically in Redis across any number of workers, and
 * need no scheduler of their own.
 */
export const MAX_PRIORITY = 2 ** 21 - 1;

export function fairPriority(inFlight: number, rank: number): number {
  return Math.max(1, Math.min(MAX_PRIORITY, Math.max(1, inFlight) + Math.max(0, rank)));
}
