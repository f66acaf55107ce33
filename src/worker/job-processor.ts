import type { Job } from 'bullmq';
import type { JobNameValue, JobPayloads } from '../jobs/job-catalogue';

/** Handles some jobs of the catalogue. Throw to fail (BullMQ retries); throw UnrecoverableError for input that never succeeds. */
export interface JobProcessor {
  readonly handles: readonly JobNameValue[];
  handle(job: Job<JobPayloads[JobNameValue]>): Promise<unknown>;
  /** Called once when a job has failed for the last time (no retries left). */
  onFinalFailure?(job: Job<JobPayloads[JobNameValue]>, error: Error): Promise<void>;
}

export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');
