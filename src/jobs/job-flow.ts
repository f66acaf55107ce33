import type { FlowChildJob, FlowJob } from 'bullmq';
import { queueOf, type JobNameValue, type JobPayloads } from './job-catalogue';

/** A job of the catalogue as a BullMQ flow node: its queue comes from the catalogue, its data is its payload. */
export interface CatalogueFlowJob<N extends JobNameValue = JobNameValue> {
  name: N;
  data: JobPayloads[N];
  opts?: FlowChildJob['opts'];
  children?: CatalogueFlowJob[];
}

/** Builds a typed flow node (the payload is checked against the job it names). */
export function flowJob<N extends JobNameValue>(name: N, data: JobPayloads[N], opts?: FlowChildJob['opts'], children?: CatalogueFlowJob[]): CatalogueFlowJob<N> {
  return { name, data, opts, ...(children ? { children } : {}) };
}

export function toFlowJob(job: CatalogueFlowJob): FlowJob {
  return { name: job.name, queueName: queueOf(job.name, job.data), data: job.data, opts: job.opts, children: job.children?.map(toFlowJob) };
}
