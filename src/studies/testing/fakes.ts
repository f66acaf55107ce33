import { Logger } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import type { JobNameValue, JobPayloads } from '../../jobs/job-catalogue';
import type { CatalogueFlowJob } from '../../jobs/job-flow';
import type { QueuesService } from '../../jobs/queues.service';
import type { WebhooksService } from '../../webhooks/webhooks.service';
import type { StudiesRepository } from '../studies.repository';
import type { StudyEvents } from '../study-events';
import { isTerminal, type TerminalStatus } from '../study-status';
import type { StudyEvent, StudyFailure, StudyStatus, StudyView } from '../study.views';
import { failedAttemptsOf, type FailedAttempt, type VariantRecord, type VariantsRepository } from '../variants.repository';

/**
 * In-memory stand-ins for the study feature's repositories and producers, for unit specs of the orchestration
 * (StudyFlow, StudyJobs, processors, reconciler). They keep the repositories' contracts (a finished study does
 * not move, progress is jobsDone / jobsTotal); integration tests in test/ run the real Postgres and Redis.
 */
export type StoredStudy = StudyView & { teamId: string; correlationId: string | null; queuePrefix: string; result?: object };

export function aStudy(overrides: Partial<StoredStudy> = {}): StoredStudy {
  return {
    id: 'study-1',
    teamId: 'team-1',
    correlationId: 'cid-1',
    queuePrefix: 'tw-unit',
    modelId: 'model-1',
    datasetId: null,
    inputs: null,
    tierProfiles: null,
    status: 'queued',
    phase: null,
    progress: 0,
    jobsDone: 0,
    jobsTotal: 0,
    tiers: ['mobile', 'edge', 'cloud'],
    scenarios: ['mobile', 'edge', 'cloud'],
    operators: ['identity'],
    constraints: {},
    network: { mobileEdgeMbps: 200, edgeCloudMbps: 1, rttMs: 0 },
    effort: { warmup: 1, runs: 3 },
    webhookUrl: null,
    variantIds: [],
    failures: [],
    error: null,
    recommendation: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

export function aVariant(overrides: Partial<VariantRecord> & { id: string }): VariantRecord {
  return {
    modelId: 'model-1',
    operators: ['identity'],
    origin: 'uploaded',
    params: {},
    buildKey: null,
    parentId: null,
    inputShapes: null,
    blobSha: 'a'.repeat(64),
    sizeBytes: 1000,
    status: 'ready',
    error: null,
    report: null,
    ...overrides,
  };
}

type StudiesContract = Pick<
  StudiesRepository,
  'get' | 'active' | 'advance' | 'teamLoad' | 'jobFinished' | 'addFailure' | 'finish' | 'completeProgress'
>;

export class FakeStudies implements StudiesContract {
  readonly rows = new Map<string, StoredStudy>();

  constructor(...studies: StoredStudy[]) {
    for (const study of studies) this.rows.set(study.id, study);
  }

  row(id: string): StoredStudy {
    const study = this.rows.get(id);
    if (!study) throw new Error(`no study ${id}`);
    return study;
  }

  async get(id: string): Promise<StoredStudy | null> {
    const study = this.rows.get(id);
    if (!study) return null;
    return { ...study, progress: study.jobsTotal === 0 ? 0 : Math.min(1, study.jobsDone / study.jobsTotal), failures: [...study.failures] };
  }

  async active(queuePrefix: string): Promise<Array<{ id: string; phase: string | null; status: StudyStatus }>> {
    return [...this.rows.values()]
      .filter((s) => s.queuePrefix === queuePrefix && !isTerminal(s.status))
      .map(({ id, phase, status }) => ({ id, phase, status }));
  }

  async advance(id: string, status: StudyStatus, phase: string | null, extra: { jobsTotal?: number } = {}): Promise<boolean> {
    const study = this.rows.get(id);
    if (!study || isTerminal(study.status)) return false;
    Object.assign(study, { status, phase, ...extra });
    return true;
  }

  async teamLoad(id: string): Promise<{ inFlight: number; rank: number }> {
    const me = this.row(id);
    const open = [...this.rows.values()].filter((s) => s.teamId === me.teamId && !isTerminal(s.status));
    return { inFlight: open.length, rank: open.filter((s) => s.createdAt < me.createdAt).length };
  }

  async jobFinished(id: string, count = 1): Promise<void> {
    this.row(id).jobsDone += count;
  }

  async addFailure(id: string, failure: StudyFailure): Promise<void> {
    this.row(id).failures.push(failure);
  }

  async finish(id: string, outcome: { status: TerminalStatus; error?: string; result?: object }): Promise<boolean> {
    const study = this.rows.get(id);
    if (!study || isTerminal(study.status)) return false;
    Object.assign(study, {
      status: outcome.status,
      error: outcome.error ?? null,
      result: outcome.result,
      finishedAt: new Date().toISOString(),
    });
    return true;
  }

  async completeProgress(id: string): Promise<void> {
    const study = this.row(id);
    study.jobsDone = study.jobsTotal;
  }
}

type VariantsContract = Pick<VariantsRepository, 'get' | 'many' | 'markBuilding' | 'markReady' | 'markFailed' | 'recordFailedAttempt'>;

export class FakeVariants implements VariantsContract {
  readonly rows = new Map<string, VariantRecord>();

  constructor(...variants: VariantRecord[]) {
    for (const variant of variants) this.rows.set(variant.id, variant);
  }

  async get(id: string): Promise<VariantRecord | null> {
    const variant = this.rows.get(id);
    return variant ? { ...variant } : null;
  }

  async many(ids: string[]): Promise<VariantRecord[]> {
    return ids.flatMap((id) => (this.rows.has(id) ? [{ ...this.rows.get(id)! }] : []));
  }

  async markBuilding(id: string): Promise<void> {
    Object.assign(this.rows.get(id)!, { status: 'building' });
  }

  async markReady(id: string, blobSha: string, sizeBytes: number, report: object): Promise<void> {
    Object.assign(this.rows.get(id)!, { status: 'ready', blobSha, sizeBytes, report, error: null });
  }

  async markFailed(id: string, error: string): Promise<void> {
    Object.assign(this.rows.get(id)!, { status: 'failed', error });
  }

  async recordFailedAttempt(id: string, attempt: FailedAttempt): Promise<void> {
    const row = this.rows.get(id)!;
    row.report = { ...row.report, failedAttempts: [...failedAttemptsOf(row.report), attempt] };
  }
}

/** What a producer was asked to enqueue. Flows are kept as given (their queues come from the catalogue). */
export class FakeQueues implements Pick<QueuesService, 'prefix' | 'add' | 'addFlow'> {
  readonly added: Array<{ name: JobNameValue; data: object; opts?: JobsOptions }> = [];
  readonly flows: CatalogueFlowJob[] = [];
  /** Jobs Redis holds, by queue then id: `completed` says whether the job has finished. */
  readonly stored = new Map<string, Map<string, { completed: boolean }>>();
  readonly prefix = 'tw-unit';

  async add<N extends JobNameValue>(name: N, data: JobPayloads[N], opts?: JobsOptions): Promise<void> {
    this.added.push({ name, data, opts });
  }

  async addFlow(flow: CatalogueFlowJob): Promise<void> {
    this.flows.push(flow);
  }

  /** The flows enqueued for one study. */
  flowsOf(studyId: string): CatalogueFlowJob[] {
    return this.flows.filter((flow) => 'studyId' in flow.data && flow.data.studyId === studyId);
  }

  store(queue: string, id: string, completed: boolean): void {
    if (!this.stored.has(queue)) this.stored.set(queue, new Map());
    this.stored.get(queue)!.set(id, { completed });
  }

  queue(name: string): { getJob(id: string): Promise<{ isCompleted(): Promise<boolean> } | undefined> } {
    return {
      getJob: async (id) => {
        const job = this.stored.get(name)?.get(id);
        return job ? { isCompleted: async () => job.completed } : undefined;
      },
    };
  }
}

export class FakeEvents implements Pick<StudyEvents, 'publish'> {
  readonly published: StudyEvent[] = [];

  async publish(event: StudyEvent): Promise<void> {
    this.published.push(event);
  }
}

export class FakeWebhooks implements Pick<WebhooksService, 'emit'> {
  readonly emitted: Array<{ teamId: string; event: string; data: object }> = [];

  async emit(teamId: string, event: string, data: object): Promise<void> {
    this.emitted.push({ teamId, event, data });
  }
}

/** Hands a fake to a constructor that wants the real class (the fake implements the part the code under test uses). */
export function as<T>(fake: unknown): T {
  return fake as T;
}

/** Unit specs assert on state, not on log lines: keep Nest's logger quiet while they run. */
export function quietLogs(): void {
  Logger.overrideLogger(false);
}
