import type { FlowChildJob, FlowJob, JobsOptions } from 'bullmq';
import { queueOf, type JobNameValue, type JobPayloads } from './job-catalogue';

/** A job of the catalogue as a BullMQ flow node: its queue comes from the catalogue, its data is its payload. */
export interface CatalogueFlowJob<N extends JobNameValue = JobNameValue> {
  name: N;
  data: JobPayloads[N];
  opts?: FlowChildJob['opts'];
  children?: CatalogueFlowJob[];
}

/** Builds a typed flow node (the payload is checked against the job it names). */
export function flowJob<N extends JobNameValue>(
  name: N,
  data: JobPayloads[N],
  opts?: FlowChildJob['opts'],
  children?: CatalogueFlowJob[],
): CatalogueFlowJob<N> {
  return { name, data, opts, ...(children ? { children } : {}) };
}

/** The BullMQ flow of a catalogue flow; `defaults` (retention) apply to every node unless the node sets its own. */
export function toFlowJob(job: CatalogueFlowJob, defaults: JobsOptions = {}): FlowJob {
  return {
    name: job.name,
    queueName: queueOf(job.name, job.data),
    data: job.data,
    opts: { ...defaults, ...job.opts },
    children: job.children?.map((child) => toFlowJob(child, defaults)),
  };
}
