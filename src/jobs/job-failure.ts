import { UnrecoverableError } from 'bullmq';
import { isTierwiseError, type ErrorCode } from '../common/errors';
import type { JobNameValue } from './job-catalogue';

/** Why a job failed, as data: what the study records, what the final-failure handler reads, and whether to retry. */
export interface JobFailure {
  code: string;
  message: string;
  /** Whether another attempt may succeed (BullMQ retries only these, up to the job's attempts). */
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** The code of a failure that is not a TierwiseError: a bug, or Postgres/Redis unreachable. */
export const UNEXPECTED_FAILURE = 'JOB_FAILED' satisfies ErrorCode;

/**
 * The one retry policy of every job. A TierwiseError is final (the same input fails the same way) unless its
 * code is transient: the runner crashed or timed out, the cores stayed busy, the child ran out of memory while
 * building or evaluating (the host was busy). Any other error (a bug, a dropped connection) is retried.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'RUNNER_CRASHED',
  'RUNNER_TIMEOUT',
  'RUNNER_OOM',
  'CORES_BUSY',
  // A remote worker's link to the api (src/remote-workers/).
  'BLOB_FETCH_FAILED',
  'BLOB_CORRUPT',
  'WORKER_API_UNREACHABLE',
]);
/** Codes final for one job although transient for others: a measurement runs under its tier's memory limit, so OOM there is the answer (the tier is too small), not bad luck. */
const FINAL_FOR: Partial<Record<JobNameValue, ReadonlySet<string>>> = { 'bench-variant': new Set<ErrorCode>(['RUNNER_OOM']) };

/** Carries a JobFailure through BullMQ; final ones are UnrecoverableErrors, so BullMQ does not retry them. */
export class FinalJobError extends UnrecoverableError {
  constructor(readonly failure: JobFailure) {
    // BullMQ keeps only the message (failedReason in Redis): the code goes in front for whoever reads it there.
    super(`${failure.code}: ${failure.message}`);
  }
}

export class RetryableJobError extends Error {
  constructor(
    readonly failure: JobFailure,
    options?: { cause?: unknown },
  ) {
    super(`${failure.code}: ${failure.message}`, options);
    this.name = 'RetryableJobError';
  }
}

export type JobError = FinalJobError | RetryableJobError;

/** A failure that never gets better with retries (the handler knows: the variant is gone, the output unscorable). */
export function finalFailure(code: ErrorCode, message: string, details?: Record<string, unknown>): FinalJobError {
  return new FinalJobError({ code, message, retryable: false, ...(details ? { details } : {}) });
}

/** Decides, for a job, what an error it threw means. */
export function classifyFailure(job: string, error: unknown): JobFailure {
  if (error instanceof FinalJobError || error instanceof RetryableJobError) return error.failure;
  if (isTierwiseError(error)) {
    const retryable = TRANSIENT_CODES.has(error.code) && !FINAL_FOR[job as JobNameValue]?.has(error.code);
    return { code: error.code, message: error.message, retryable, ...(error.details ? { details: error.details } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Thrown by BullMQ itself or by code that predates the catalogue: final as BullMQ treats it.
  const final = error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
  return { code: UNEXPECTED_FAILURE, message, retryable: !final };
}

/** The error a handler's failure leaves the worker with: BullMQ retries it or not as the policy decided. */
export function toJobError(job: string, error: unknown): JobError {
  if (error instanceof FinalJobError || error instanceof RetryableJobError) return error;
  const failure = classifyFailure(job, error);
  const wrapped = failure.retryable ? new RetryableJobError(failure, { cause: error }) : new FinalJobError(failure);
  if (error instanceof Error && error.stack) wrapped.stack = error.stack;
  return wrapped;
}
