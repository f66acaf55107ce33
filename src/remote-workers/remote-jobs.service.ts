import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { BlobsService } from '../blobs/blobs.service';
import { TierwiseError, isTierwiseError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { DatasetsService } from '../datasets/datasets.service';
import type { DatasetView } from '../datasets/dataset.views';
import { JobName, benchQueue, isBenchQueue, type JobPayloads } from '../jobs/job-catalogue';
import { attemptOutcome } from '../jobs/job-dispatch';
import { FinalJobError, type JobFailure } from '../jobs/job-failure';
import { QueuesService } from '../jobs/queues.service';
import { createRedis } from '../jobs/redis';
import { BenchProcessor } from '../studies/processors/bench.processor';
import { ResultsRepository, type NewMeasurement } from '../studies/results.repository';
import { StudyJobs } from '../studies/study-jobs';
import { StudiesRepository } from '../studies/studies.repository';
import { TiersConfig } from '../tiers/tiers.config';
import { WorkerRegistry, type WorkerHeartbeat } from '../tiers/worker-registry';
import { encodeLease, type JobLease } from './job-lease';

type BenchPayload = JobPayloads['bench-variant'];
export type BenchJob = Job<BenchPayload>;

/** Who calls: a worker token and the tiers it serves (empty: any). */
export interface WorkerCaller {
  keyId: string;
  tiers: string[];
}

/** A job as a remote worker receives it: what the processor reads (name, data, attempts), no BullMQ internals. */
export interface LeasedJob {
  lease: string;
  job: { id: string; name: string; queue: string; data: BenchPayload; attemptsMade: number; attempts: number };
}

/** The study and variant a bench job measures, and the blobs (by sha) it will fetch. */
export interface JobTarget {
  study: NonNullable<Awaited<ReturnType<StudiesRepository['get']>>>;
  variant: NonNullable<Awaited<ReturnType<StudyJobs['builtTarget']>>>['variant'];
  blobs: string[];
}

interface Puller {
  worker: Worker;
  connection: Redis;
  /** getNextJob calls on one Worker share its blocking connection, so they take turns. */
  turn: Promise<unknown>;
}

/**
 * Serves the tier queues to workers on other machines (`tierwise worker --api`): BullMQ's manual fetching — a Worker
 * without a processor per tier queue, `getNextJob(token)` for a long poll, the lock extended on every call the worker
 * makes, `moveToCompleted` / `moveToFailed` with the same token — so retries, backoff, flows and stalled-job recovery
 * are BullMQ's, as for a local pool. The lease (queue, job id, token) lives only with the worker: any replica can
 * check it against the job's lock in Redis. A remote worker reads and writes Postgres only through these calls.
 */
@Injectable()
export class RemoteJobsService implements OnModuleDestroy {
  private readonly logger = new Logger('RemoteJobs');
  private readonly pullers = new Map<string, Puller>();
  private closing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
    private readonly tiers: TiersConfig,
    private readonly registry: WorkerRegistry,
    private readonly studies: StudiesRepository,
    private readonly studyJobs: StudyJobs,
    private readonly results: ResultsRepository,
    private readonly datasets: DatasetsService,
    private readonly blobs: BlobsService,
    private readonly bench: BenchProcessor,
  ) {}

  /** The worker's heartbeat, kept with the local workers' (GET /v1/tiers lists both). */
  async beat(caller: WorkerCaller, heartbeat: WorkerHeartbeat): Promise<void> {
    if (heartbeat.tier) this.allowTier(caller, heartbeat.tier);
    await this.registry.beat({ ...heartbeat, id: `remote:${caller.keyId.slice(0, 8)}:${heartbeat.id}`, seenAt: new Date().toISOString() });
  }

  /** Waits up to `waitMs` for the tier's next job; null when none came. */
  async next(caller: WorkerCaller, tier: string, waitMs: number, signal: AbortSignal): Promise<LeasedJob | null> {
    this.allowTier(caller, tier);
    const queue = benchQueue(tier);
    const puller = this.puller(queue);
    const deadline = Date.now() + waitMs;
    while (!signal.aborted && !this.closing) {
      const token = randomUUID();
      const fetched = puller.turn.then(() => puller.worker.getNextJob(token, { block: deadline - Date.now() > 1000 }));
      puller.turn = fetched.catch(() => undefined);
      const job = (await fetched) as BenchJob | undefined;
      if (job) {
        if (signal.aborted) {
          // The worker hung up while its job was fetched: hand the job back rather than wait for its lock to run out.
          await job.moveToWait(token).catch(() => undefined);
          return null;
        }
        return {
          lease: encodeLease({ queue, jobId: String(job.id), token }),
          job: {
            id: String(job.id),
            name: job.name,
            queue,
            data: job.data,
            attemptsMade: job.attemptsMade,
            attempts: job.opts.attempts ?? 1,
          },
        };
      }
      if (Date.now() >= deadline) return null;
      if (!(deadline - Date.now() > 1000)) await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
    }
    return null;
  }

  /** The job under the lease, its lock extended (a worker that calls is alive); 409 JOB_LEASE_LOST when the lock is gone. */
  async held(caller: WorkerCaller, lease: JobLease): Promise<BenchJob> {
    if (!isBenchQueue(lease.queue)) throw new TierwiseError('JOB_LEASE_INVALID', `queue ${lease.queue} is not a tier's queue`);
    this.allowTier(caller, lease.queue.slice('bench-'.length));
    const job = (await Job.fromId(this.queues.queue(lease.queue), lease.jobId)) as BenchJob | undefined;
    if (!job) throw new TierwiseError('JOB_LEASE_LOST', `job ${lease.jobId} is gone from ${lease.queue}`);
    if (job.name !== JobName.BenchVariant) throw new TierwiseError('JOB_LEASE_INVALID', `job ${lease.jobId} is not a bench job`);
    const extended = await job.extendLock(lease.token, this.config.WORKER_LOCK_MS);
    if (!extended)
      throw new TierwiseError('JOB_LEASE_LOST', `the lock on job ${lease.jobId} is no longer this lease's (it ran out, or the job ended)`);
    return job;
  }

  async extend(caller: WorkerCaller, lease: JobLease): Promise<{ cancelled: boolean; lockMs: number }> {
    const job = await this.held(caller, lease);
    return { cancelled: await this.studyJobs.isCancelled(job.data.studyId), lockMs: this.config.WORKER_LOCK_MS };
  }

  /** What the job measures (StudyJobs.builtTarget on the api's database); null when its study has ended. */
  async target(caller: WorkerCaller, lease: JobLease): Promise<JobTarget | null> {
    const job = await this.held(caller, lease);
    let found: Awaited<ReturnType<StudyJobs['builtTarget']>>;
    try {
      found = await this.studyJobs.builtTarget(job.data.studyId, job.data.variantId);
    } catch (error) {
      // builtTarget raises job failures; over HTTP they travel as the domain error they carry.
      if (error instanceof FinalJobError) throw new TierwiseError('VARIANT_NOT_BUILT', error.failure.message);
      throw error;
    }
    if (!found) return null;
    return { study: found.study, variant: found.variant, blobs: await this.blobsOf(job) };
  }

  async dataset(caller: WorkerCaller, lease: JobLease): Promise<DatasetView> {
    const job = await this.held(caller, lease);
    const study = await this.studies.get(job.data.studyId);
    if (!study?.datasetId) throw new TierwiseError('DATASET_NOT_FOUND', `study ${job.data.studyId} has no dataset`);
    return this.datasets.get({ id: study.teamId, name: '' }, study.datasetId);
  }

  /** The path of one of the job's blobs; 403 BLOB_NOT_IN_JOB for any other sha. */
  async blobPath(caller: WorkerCaller, lease: JobLease, sha256: string): Promise<string> {
    const job = await this.held(caller, lease);
    if (!(await this.blobsOf(job)).includes(sha256))
      throw new TierwiseError('BLOB_NOT_IN_JOB', `blob ${sha256} is not an input of job ${lease.jobId}`);
    return this.blobs.pathOf(sha256);
  }

  async saveMeasurement(caller: WorkerCaller, lease: JobLease, studyId: string, record: NewMeasurement): Promise<void> {
    const job = await this.held(caller, lease);
    const { data } = job;
    const mismatch = [
      studyId !== data.studyId && `study ${studyId}`,
      record.variantId !== data.variantId && `variant ${record.variantId}`,
      record.tier !== data.tier && `tier ${record.tier}`,
      record.part !== data.part && `part ${record.part}`,
    ].filter(Boolean);
    if (mismatch.length > 0)
      throw new TierwiseError(
        'MEASUREMENT_MISMATCH',
        `job ${job.id} measures ${data.variantId} on ${data.tier} (${data.part}), not ${mismatch.join(', ')}`,
      );
    await this.results.saveMeasurement(studyId, record);
  }

  async finished(caller: WorkerCaller, lease: JobLease, studyId: string): Promise<void> {
    const job = await this.held(caller, lease);
    if (studyId !== job.data.studyId) throw new TierwiseError('MEASUREMENT_MISMATCH', `job ${job.id} belongs to study ${job.data.studyId}`);
    await this.studyJobs.finished(studyId);
  }

  async complete(caller: WorkerCaller, lease: JobLease): Promise<void> {
    const job = await this.held(caller, lease);
    await job.moveToCompleted(null, lease.token, false);
  }

  /**
   * A failed attempt, as the worker's failure policy classified it: BullMQ retries it (with the job's backoff) unless
   * it is final or the last attempt; after the last, the bench processor's final-failure handler runs here.
   */
  async fail(caller: WorkerCaller, lease: JobLease, failure: JobFailure): Promise<{ final: boolean }> {
    const job = await this.held(caller, lease);
    const message = `${failure.code}: ${failure.message}`;
    const error = failure.retryable ? new Error(message) : new UnrecoverableError(message);
    await job.moveToFailed(error, lease.token, false);
    const final = !failure.retryable || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) await this.bench.onFinalFailure(job, failure);
    return { final };
  }

  private async blobsOf(job: BenchJob): Promise<string[]> {
    const found = await this.studyJobs.builtTarget(job.data.studyId, job.data.variantId).catch(() => null);
    if (!found) return [];
    const { study, variant } = found;
    const report = variant.report ?? {};
    const shas = job.data.part === 'tail' ? [report.tailSha, report.tailSamplesSha] : [variant.blobSha];
    if (job.data.part !== 'tail' && study.datasetId) {
      const dataset = await this.datasets.get({ id: study.teamId, name: '' }, study.datasetId).catch(() => null);
      if (dataset) shas.push(dataset.sha256);
    }
    return shas.filter((s): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s));
  }

  private allowTier(caller: WorkerCaller, tier: string): void {
    if (!this.tiers.get(tier))
      throw new TierwiseError('TIER_NOT_ALLOWED', `no tier ${tier}; configured: ${this.tiers.names().join(', ')}`, { tier });
    if (caller.tiers.length > 0 && !caller.tiers.includes(tier))
      throw new TierwiseError('TIER_NOT_ALLOWED', `this worker token serves ${caller.tiers.join(', ')}, not ${tier}`, { tier });
  }

  private puller(queue: string): Puller {
    let puller = this.pullers.get(queue);
    if (!puller) {
      const connection = createRedis(this.config.REDIS_URL, `remote-jobs:${queue}`, { cluster: this.config.REDIS_CLUSTER });
      const worker = new Worker(queue, null, {
        connection,
        prefix: this.queues.prefix,
        lockDuration: this.config.WORKER_LOCK_MS,
        stalledInterval: Math.max(500, Math.round(this.config.WORKER_LOCK_MS / 4)),
        maxStalledCount: 2,
        drainDelay: 2,
      });
      worker.on('error', (error) => this.logger.error(`queue ${queue}: ${error.message}`));
      // A remote worker that vanished leaves its job to this stalled check; after the last stall it fails here.
      worker.on('failed', (job, error) => void this.stalledForGood(job as BenchJob | undefined, error));
      void worker.startStalledCheckTimer();
      puller = { worker, connection, turn: Promise.resolve() };
      this.pullers.set(queue, puller);
    }
    return puller;
  }

  private async stalledForGood(job: BenchJob | undefined, error: Error): Promise<void> {
    if (!job) return;
    const { failure, final } = attemptOutcome(job, error);
    if (!final) return;
    await this.bench.onFinalFailure(job, failure).catch((e: Error) => this.logger.error(`final-failure handler: ${e.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.pullers.values()].map((p) => p.worker.close(true).catch(() => undefined)));
    await Promise.all([...this.pullers.values()].map((p) => p.connection.quit().catch(() => undefined)));
  }
}

export function isLeaseError(error: unknown): boolean {
  return isTierwiseError(error) && (error.code === 'JOB_LEASE_LOST' || error.code === 'JOB_LEASE_INVALID');
}
