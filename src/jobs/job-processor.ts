import type { Job } from 'bullmq';
import { JobName, isJobName, type JobNameValue, type JobPayloads, type JobResults } from './job-catalogue';
import type { JobFailure } from './job-failure';

/**
 * Handles some jobs of the catalogue. Throw to fail: the job-failure policy decides whether BullMQ retries;
 * throw `finalFailure(code, message)` for input that never succeeds.
 */
export interface JobProcessor<N extends JobNameValue = JobNameValue> {
  readonly handles: readonly N[];
  handle(job: Job<JobPayloads[N]>): Promise<JobResults[N]>;
  /** Called once when a job has failed for the last time (no retries left, or a final failure). */
  onFinalFailure?(job: Job<JobPayloads[N]>, failure: JobFailure): Promise<void>;
}

export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');

/** Maps each job name to its one handler; fails at start-up when a job has none or several (Immich's check). */
export function handlerTable(processors: JobProcessor[]): Map<JobNameValue, JobProcessor> {
  const table = new Map<JobNameValue, JobProcessor>();
  for (const processor of processors) {
    for (const name of processor.handles) {
      if (!isJobName(name)) throw new Error(`${processor.constructor.name} handles ${name}, which is not in the job catalogue`);
      if (table.has(name))
        throw new Error(`job ${name} has two handlers: ${table.get(name)!.constructor.name} and ${processor.constructor.name}`);
      table.set(name, processor);
    }
  }
  const missing = Object.values(JobName).filter((name) => !table.has(name));
  if (missing.length > 0) throw new Error(`jobs without a handler: ${missing.join(', ')}`);
  return table;
}
