import { TierwiseError } from '../common/errors';
import type { MeasureResult } from './runner';

/**
 * When a measurement is taken again because other work shared its cores. Pinning is not exclusive (no
 * exclusive cpuset on a shared host), so the runner measures how much of the measuring cores' time went to other
 * processes (`interference.foreignCpuShare`) and retakes a measurement over `threshold`, pausing `pauseMs`,
 * doubling each time (transient work — a build, a test run — often ends within seconds).
 */
export interface NoisePolicy {
  /** Foreign share of the measuring cores above which a measurement is retaken (0–1; default 0.10). */
  threshold: number;
  /** Retakes after the first attempt (default 3). */
  maxRetakes: number;
  /** Pause before the first retake, ms (default 1000), doubled before each further one. */
  pauseMs: number;
}

export const DEFAULT_NOISE_POLICY: NoisePolicy = { threshold: 0.1, maxRetakes: 3, pauseMs: 1000 };

/** What a stored measurement says about noise. */
export interface NoiseRecord {
  /** True when even the kept (quietest) attempt was over the threshold: the ranking treats it as uncertain. */
  noisy: boolean;
  /** The kept attempt's foreign share of the measuring cores; null when the cores were not pinned (unknown). */
  foreignCpuShare: number | null;
  /** Attempts taken after the first. */
  retakes: number;
  threshold: number;
  /** Every attempt's share, in order (null where unknown). */
  attemptShares: Array<number | null>;
}

export function validateNoisePolicy(policy: NoisePolicy): void {
  if (!(policy.threshold > 0 && policy.threshold <= 1))
    throw new TierwiseError('MEASURE_INVALID', `noise threshold must be in (0, 1], got ${policy.threshold}`);
  if (!(Number.isInteger(policy.maxRetakes) && policy.maxRetakes >= 0 && policy.maxRetakes <= 20))
    throw new TierwiseError('MEASURE_INVALID', `noise retakes must be an integer in 0..20, got ${policy.maxRetakes}`);
  if (!(policy.pauseMs >= 0 && policy.pauseMs <= 600_000))
    throw new TierwiseError('MEASURE_INVALID', `noise pause must be in 0..600000 ms, got ${policy.pauseMs}`);
}

/**
 * The attempt to keep: the one with the smallest foreign share (interference only ever adds time, so the
 * quietest attempt is the least biased), marked noisy when its share is still over the threshold.
 */
export function keepQuietest(attempts: MeasureResult[], policy: NoisePolicy): MeasureResult {
  if (attempts.length === 0) throw new RangeError('no attempts');
  const shareOf = (r: MeasureResult): number | null => r.interference?.foreignCpuShare ?? null;
  const kept = attempts.reduce((best, r) => ((shareOf(r) ?? Infinity) < (shareOf(best) ?? Infinity) ? r : best));
  const share = shareOf(kept);
  const noisy = share !== null && share > policy.threshold;
  const noise: NoiseRecord = {
    noisy,
    foreignCpuShare: share,
    retakes: attempts.length - 1,
    threshold: policy.threshold,
    attemptShares: attempts.map(shareOf),
  };
  const warnings = [...kept.warnings];
  if (noisy)
    warnings.push(
      `noisy: other work used ${(share * 100).toFixed(0)}% of the measuring cores (threshold ${(policy.threshold * 100).toFixed(0)}%) ` +
        `after ${noise.retakes} retake(s); the ranking treats this figure as uncertain`,
    );
  else if (noise.retakes > 0)
    warnings.push(`retaken ${noise.retakes} time(s) because other work shared the measuring cores; the kept attempt is quiet`);
  return { ...kept, noise, warnings };
}
