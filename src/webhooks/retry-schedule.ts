const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Jitter spreads retries of many messages that failed together (an endpoint down) so they don't return in a herd. */
export const RETRY_JITTER = 0.2;
/** Retries continue until even the earliest jittered schedule has covered this much time since the first attempt. */
export const RETRY_HORIZON_MS = 24 * HOUR;

const RAMP_MS = [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR];
const CEILING_MS = 12 * HOUR;

function buildSchedule(): number[] {
  const schedule = [...RAMP_MS];
  const earliestTotal = () => schedule.reduce((sum, delay) => sum + delay, 0) * (1 - RETRY_JITTER);
  while (earliestTotal() <= RETRY_HORIZON_MS) schedule.push(CEILING_MS);
  return schedule;
}

/** Nominal waits before retry 1, 2, …: exponential up to 12 h, then 12 h until past a day even with jitter. */
export const RETRY_SCHEDULE_MS: readonly number[] = Object.freeze(buildSchedule());

/** Attempts in all: the first one and one per scheduled retry. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/**
 * How long to wait after failed attempt `attempt` (1-based) before the next, jittered by ±20% and multiplied by
 * `scale` (tests shrink it); null when that attempt was the last.
 */
export function retryDelayMs(attempt: number, scale = 1, random: () => number = Math.random): number | null {
  const nominal = RETRY_SCHEDULE_MS[attempt - 1];
  if (nominal === undefined) return null;
  const factor = 1 - RETRY_JITTER + 2 * RETRY_JITTER * random();
  return Math.max(1, Math.round(nominal * factor * scale));
}
