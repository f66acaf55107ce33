import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { cpus, hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { isTierwiseError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { benchQueue, type JobNameValue } from '../../jobs/job-catalogue';
import { dispatchJob } from '../../jobs/job-dispatch';
import { classifyFailure } from '../../jobs/job-failure';
import { JOB_PROCESSORS, type JobProcessor } from '../../jobs/job-processor';
import type { LeasedJob } from '../remote-jobs.service';
import { remoteJob } from './remote-job-context';
import { WorkerApiClient } from './worker-api-client';

export interface RemoteWorkerOptions {
  tier: string;
  device?: string;
  envelopeMethod: string;
  /** How long each long poll for a job waits (ms). */
  pollMs?: number;
}

/**
 * A tier pool member on another machine: long-polls the api for its tier's jobs, runs each with the same processor
 * and child isolation as a local pool (`dispatchJob`, the runner), extends the job's lock while it runs, and reports
 * the outcome; the api moves the job on in BullMQ. No Postgres, no Redis, no shared blob directory.
 */
@Injectable()
export class RemoteWorkerHost implements OnApplicationShutdown {
  private readonly logger = new Logger('RemoteWorker');
  private readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly startedAt = new Date().toISOString();
  private readonly stopping = new AbortController();
  private heartbeat?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private table!: Map<JobNameValue, JobProcessor>;
  /** Jobs this process finished, by outcome (for tests and the log). */
  readonly done = { completed: 0, failed: 0, lost: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessor[],
    @Inject(WorkerApiClient) private readonly api: WorkerApiClient,
  ) {}

  async start(options: RemoteWorkerOptions): Promise<void> {
    // Only the tier queues travel over HTTP, so only their processor is here (not the full table a local worker checks).
    this.table = new Map(this.processors.flatMap((p) => p.handles.map((name) => [name, p] as const)));
    const queue = benchQueue(options.tier);
    const heartbeat = {
      id: this.id,
      tier: options.tier,
      queues: [queue],
      host: hostname(),
      pid: process.pid,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      ...(options.device ? { device: options.device } : {}),
      envelopeMethod: options.envelopeMethod,
      version: process.env.npm_package_version ?? '0.1.0',
      startedAt: this.startedAt,
    };
    const beat = () =>
      this.api
        .call('POST', 'heartbeat', { body: heartbeat })
        .catch((error: Error) => this.logger.warn(`heartbeat failed: ${error.message}`));
    // The first heartbeat must get through: a wrong URL, token or tier stops the worker at start, not later.
    await this.api.call('POST', 'heartbeat', { body: heartbeat });
    this.heartbeat = setInterval(() => void beat(), 10_000);
    this.heartbeat.unref();
    this.loop = this.run(options, queue);
    this.logger.log(`remote worker ${this.id} taking ${queue} from ${this.api.base}`);
  }

  private async run(options: RemoteWorkerOptions, queue: string): Promise<void> {
    let backoffMs = 500;
    while (!this.stopping.signal.aborted) {
      let leased: LeasedJob | null;
      try {
        leased = await this.api.call<LeasedJob>('POST', 'jobs/next', {
          body: { tier: options.tier, waitMs: options.pollMs ?? 20_000 },
          signal: this.stopping.signal,
        });
        backoffMs = 500;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.logger.warn(`asking for a job failed: ${(error as Error).message}; again in ${backoffMs} ms`);
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(30_000, backoffMs * 2);
        continue;
      }
      if (leased) await this.runJob(queue, leased);
    }
  }

  private async runJob(queue: string, leased: LeasedJob): Promise<void> {
    const { lease } = leased;
    const job = {
      id: leased.job.id,
      name: leased.job.name,
      data: leased.job.data,
      attemptsMade: leased.job.attemptsMade,
      opts: { attempts: leased.job.attempts },
    } as unknown as Job;
    const context = { lease, jobId: leased.job.id, cancelled: new AbortController() };
    let lockMs = this.config.WORKER_LOCK_MS;
    let lost = false;
    const extend = async () => {
      try {
        const answer = await this.api.call<{ cancelled: boolean; lockMs: number }>('POST', 'jobs/extend', { lease });
        if (answer?.lockMs) lockMs = answer.lockMs;
        if (answer?.cancelled) context.cancelled.abort();
      } catch (error) {
        if (isTierwiseError(error) && error.code === 'JOB_LEASE_LOST') {
          lost = true;
          context.cancelled.abort();
        }
        this.logger.warn(`lock of job ${leased.job.id} not extended: ${(error as Error).message}`);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      timer = setTimeout(() => void extend().then(schedule), Math.max(500, Math.min(lockMs / 3, 2000)));
      timer.unref();
    };
    schedule();
    let succeeded = false;
    try {
      await remoteJob.run(context, () => dispatchJob(this.table, queue, job));
      succeeded = true;
    } catch (error) {
      clearTimeout(timer);
      if (lost) this.done.lost++;
      const failure = classifyFailure(job.name, error);
      if (lost || failure.code === 'JOB_LEASE_LOST') {
        if (!lost) this.done.lost++;
        this.logger.warn(`job ${leased.job.id} lost its lease (another worker may run it): ${failure.message}`);
        return;
      }
      this.done.failed++;
      this.logger.warn(`job ${job.name} ${leased.job.id} failed: ${failure.code}: ${failure.message}`);
      await this.api
        .call('POST', 'jobs/fail', { lease, body: failure })
        .catch((e: Error) => this.logger.error(`failure of job ${leased.job.id} not reported (its lock will run out): ${e.message}`));
    } finally {
      clearTimeout(timer);
    }
    if (!succeeded || lost) return;
    try {
      await this.api.call('POST', 'jobs/complete', { lease });
      this.done.completed++;
    } catch (error) {
      // Measured and stored, but not moved on: the lock runs out and BullMQ runs the job again (its result is replaced).
      this.done.lost++;
      this.logger.warn(`job ${leased.job.id} not completed on the api: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.stopping.abort();
    await this.loop?.catch(() => undefined);
  }
}
