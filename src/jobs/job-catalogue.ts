/**
 * Every queue and job Tierwise runs, with its payload. Payloads carry ids only; handlers re-read state from Postgres.
 * Bench queues are per tier (`bench-mobile`, ...), so a worker pool joins a tier by consuming its queue.
 */
export const QueueName = {
  Build: 'build',
  Evaluate: 'evaluate',
  Advise: 'advise',
  Webhook: 'webhook',
} as const;
export type FixedQueueName = (typeof QueueName)[keyof typeof QueueName];

export function benchQueue(tier: string): string {
  return `bench-${tier}`;
}

export const JobName = {
  /** Applies an operator chain to a model or uploaded variant and stores the result. */
  BuildVariant: 'build-variant',
  /** Measures a variant (or a partition's head or tail) on one tier. */
  BenchVariant: 'bench-variant',
  /** Accuracy (or fidelity) of a variant on the study's dataset. */
  EvaluateVariant: 'evaluate-variant',
  /** Runs when every job of a study phase has finished and starts the next phase. */
  PhaseDone: 'phase-done',
  /** Composes end-to-end latency, filters, ranks, explains and stores recommendations. */
  AdviseStudy: 'advise-study',
  /** One delivery attempt of a webhook message. */
  DeliverWebhook: 'deliver-webhook',
} as const;
export type JobNameValue = (typeof JobName)[keyof typeof JobName];

export type StudyPhase = 'build' | 'bench' | 'evaluate' | 'advise';

export interface JobPayloads {
  [JobName.BuildVariant]: { studyId: string; variantId: string; correlationId?: string };
  [JobName.BenchVariant]: { studyId: string; variantId: string; tier: string; part: 'whole' | 'head' | 'tail'; correlationId?: string };
  [JobName.EvaluateVariant]: { studyId: string; variantId: string; correlationId?: string };
  [JobName.PhaseDone]: { studyId: string; phase: StudyPhase; correlationId?: string };
  [JobName.AdviseStudy]: { studyId: string; correlationId?: string };
  [JobName.DeliverWebhook]: { deliveryId: string; correlationId?: string };
}

/** Which queue each job runs on (bench jobs: the tier's queue). */
export const queueOfJob: Record<Exclude<JobNameValue, 'bench-variant'>, FixedQueueName> = {
  [JobName.BuildVariant]: QueueName.Build,
  [JobName.EvaluateVariant]: QueueName.Evaluate,
  [JobName.PhaseDone]: QueueName.Advise,
  [JobName.AdviseStudy]: QueueName.Advise,
  [JobName.DeliverWebhook]: QueueName.Webhook,
};
