/**
 * Every queue and job Tierwise runs: job name → queue → payload → result, in one table (Immich's job map).
 * Payloads carry ids only; handlers re-read state from Postgres. Bench queues are per tier (`bench-mobile`, ...),
 * so a worker pool joins a tier by consuming its queue.
 *
 * Checked at compile time (`JOBS` must name every job, `QueuesService.add` and flow jobs take the payload of the
 * job they name) and at start-up (`checkCatalogue`, and `handlerTable`: one handler per job).
 */
export const QueueName = {
  Build: 'build',
  Evaluate: 'evaluate',
  Advise: 'advise',
  Webhook: 'webhook',
} as const;
export type FixedQueueName = (typeof QueueName)[keyof typeof QueueName];
export type BenchQueueName = `bench-${string}`;
export type QueueNameValue = FixedQueueName | BenchQueueName;

const BENCH_PREFIX = 'bench-';

export function benchQueue(tier: string): BenchQueueName {
  return `${BENCH_PREFIX}${tier}`;
}

export function isBenchQueue(queue: string): queue is BenchQueueName {
  return queue.startsWith(BENCH_PREFIX) && queue.length > BENCH_PREFIX.length;
}

export function isKnownQueue(queue: string): queue is QueueNameValue {
  return isBenchQueue(queue) || (Object.values(QueueName) as string[]).includes(queue);
}

/** A study runs as these phases, in this order (a partition is built after the variants its cut is searched on). */
export const STUDY_PHASES = ['build', 'partition', 'bench', 'evaluate', 'advise'] as const;
export type StudyPhase = (typeof STUDY_PHASES)[number];

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

/** The request's correlation id, carried into every job it enqueues (set by `QueuesService`). */
interface Traced {
  correlationId?: string;
}

/** One job's contract: its payload and result types, and the queue it runs on. `result` is a type only, never set. */
export interface JobSpec<P extends object, R> {
  /** The queue a job with this payload runs on. */
  queueOf(payload: P): QueueNameValue;
  readonly result?: R;
}

function job<P extends object, R = void>(queueOf: (payload: P) => QueueNameValue): JobSpec<P, R> {
  return { queueOf };
}

/** What a webhook delivery attempt ended as (`skipped`: nothing to send, or a re-run scheduled for later). */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed' | 'skipped';

export const JOBS = {
  [JobName.BuildVariant]: job<{ studyId: string; variantId: string }>(() => QueueName.Build),
  [JobName.BenchVariant]: job<{ studyId: string; variantId: string; tier: string; part: 'whole' | 'head' | 'tail' }>((p) =>
    benchQueue(p.tier),
  ),
  [JobName.EvaluateVariant]: job<{ studyId: string; variantId: string }>(() => QueueName.Evaluate),
  [JobName.PhaseDone]: job<{ studyId: string; phase: StudyPhase }>(() => QueueName.Advise),
  [JobName.AdviseStudy]: job<{ studyId: string }>(() => QueueName.Advise),
  [JobName.DeliverWebhook]: job<{ deliveryId: string }, { outcome: DeliveryOutcome }>(() => QueueName.Webhook),
} as const satisfies { [N in JobNameValue]: JobSpec<never, unknown> };

type Catalogue = typeof JOBS;
type PayloadOf<S> = S extends JobSpec<infer P, unknown> ? P : never;
type ResultOf<S> = S extends { readonly result?: infer R } ? Exclude<R, undefined> : never;
/** The data a job of each name carries. */
export type JobPayloads = { [N in JobNameValue]: PayloadOf<Catalogue[N]> & Traced };
/** What a handler of each job returns (stored by BullMQ as the job's return value). */
export type JobResults = { [N in JobNameValue]: ResultOf<Catalogue[N]> };

/** The queue a job runs on, from the catalogue. */
export function queueOf<N extends JobNameValue>(name: N, payload: JobPayloads[N]): QueueNameValue {
  return (JOBS[name] as JobSpec<JobPayloads[N], unknown>).queueOf(payload);
}

export function isJobName(name: string): name is JobNameValue {
  return Object.prototype.hasOwnProperty.call(JOBS, name);
}

/** Start-up check: the names and the table agree (a name added to one and not the other fails here). */
export function checkCatalogue(): void {
  const names = Object.values(JobName) as string[];
  const listed = Object.keys(JOBS);
  const unlisted = names.filter((n) => !listed.includes(n));
  const unnamed = listed.filter((n) => !names.includes(n));
  if (unlisted.length > 0 || unnamed.length > 0) {
    throw new Error(
      `job catalogue out of step: ${[...unlisted.map((n) => `${n} has no entry`), ...unnamed.map((n) => `${n} has no JobName`)].join('; ')}`,
    );
  }
}
