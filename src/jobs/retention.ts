import type { JobsOptions } from 'bullmq';
import type { AppConfig } from '../config/env';

/**
 * How long finished jobs stay in Redis (BullMQ's removeOnComplete / removeOnFail, by age and by count), so Redis
 * does not grow forever. Results live in Postgres; Redis keeps finished jobs only for the dashboard and for the
 * reconciler, which asks whether a running study's current phase is still there — hence hours, not minutes.
 */
export function retention(
  config: Pick<AppConfig, 'JOBS_KEEP_COMPLETED_S' | 'JOBS_KEEP_COMPLETED' | 'JOBS_KEEP_FAILED_S' | 'JOBS_KEEP_FAILED'>,
): Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> {
  return {
    removeOnComplete: { age: config.JOBS_KEEP_COMPLETED_S, count: config.JOBS_KEEP_COMPLETED },
    removeOnFail: { age: config.JOBS_KEEP_FAILED_S, count: config.JOBS_KEEP_FAILED },
  };
}
