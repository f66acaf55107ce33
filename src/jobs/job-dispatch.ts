import type { Job } from 'bullmq';
import { withCorrelationId } from '../common/correlation';
import { isJobName, queueOf, type JobNameValue, type JobPayloads } from './job-catalogue';
import { classifyFailure, finalFailure, toJobError, type JobFailure } from './job-failure';
import type { JobProcessor } from './job-processor';

/**
 * Runs a job's handler under the job's correlation id, after checking it against the catalogue (a known name,
 * on its own queue). Whatever the handler throws leaves as the job-failure policy's verdict: BullMQ retries a
 * RetryableJobError and never a FinalJobError.
 */
export async function dispatchJob(table: ReadonlyMap<JobNameValue, JobProcessor>, queue: string, job: Job): Promise<unknown> {
  if (!isJobName(job.name)) throw finalFailure('JOB_UNKNOWN', `job ${job.name} is not in the job catalogue`);
  const payload = job.data as JobPayloads[JobNameValue];
  const expected = queueOf(job.name, payload);
  if (expected !== queue) throw finalFailure('JOB_MISROUTED', `job ${job.name} belongs on queue ${expected}, not ${queue}`);
  const processor = table.get(job.name);
  if (!processor) throw finalFailure('JOB_UNHANDLED', `no handler for job ${job.name} in this worker`);
  try {
    return await withCorrelationId(payload.correlationId, () => processor.handle(job as Job<JobPayloads[JobNameValue]>));
  } catch (error) {
    throw toJobError(job.name, error);
  }
}

/** What a failed attempt leaves: its failure, and whether it was the last (no retry follows, so the final-failure handler runs). */
export function attemptOutcome(job: Pick<Job, 'name' | 'opts' | 'attemptsMade'>, error: unknown): { failure: JobFailure; final: boolean } {
  const failure = classifyFailure(job.name, error);
  return { failure, final: job.attemptsMade >= (job.opts.attempts ?? 1) || !failure.retryable };
}
