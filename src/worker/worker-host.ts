import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { hostname, cpus } from 'node:os';
import { randomUUID } from 'node:crypto';
import { withCorrelationId } from '../common/correlation';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { checkCatalogue, isBenchQueue, isJobName, isKnownQueue, type JobNameValue, type JobPayloads } from '../jobs/job-catalogue';
import { attemptOutcome, dispatchJob } from '../jobs/job-dispatch';
import { JOB_PROCESSORS, handlerTable, type JobProcessor } from '../jobs/job-processor';
import { createRedis } from '../jobs/redis';
import { QueuesService } from '../jobs/queues.service';
import { jobsFinished } from '../metrics/metrics';
import { WorkerRegistry } from '../tiers/worker-registry';

export interface WorkerOptions {
  queues: string[];
  tier?: string;
  device?: string;
  envelopeMethod: string;
  /** Jobs handled at once per queue; bench queues always take 1 (one measurement at a time on a core set). */
  concurrency?: number;
}

/** Consumes the chosen queues with BullMQ workers, dispatches jobs to processors and beats a heartbeat. */
@Injectable()
export class WorkerHost implements OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly workers: Worker[] = [];
  /** BullMQ leaves a connection it was handed open on close(), so the host quits its own. */
  private readonly connections: Redis[] = [];
  private readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private heartbeat?: NodeJS.Timeout;
  private readonly startedAt = new Date().toISOString();
  private table!: Map<JobNameValue, JobProcessor>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessor[],
    private readonly queues: QueuesService,
    private readonly registry: WorkerRegistry,
  ) {}

  async start(options: WorkerOptions): Promise<void> {
    checkCatalogue();
    this.table = handlerTable(this.processors);
    const unknown = options.queues.filter((queue) => !isKnownQueue(queue));
    if (unknown.length > 0) throw new Error(`queues not in the job catalogue: ${unknown.join(', ')}`);
    for (const queue of options.queues) {
      const connection = createRedis(this.config.REDIS_URL, `worker:${queue}`, { cluster: this.config.REDIS_CLUSTER });
      this.connections.push(connection);
      const worker = new Worker(queue, (job) => this.dispatch(queue, job), {
        connection,
        prefix: this.queues.prefix,
        concurrency: isBenchQueue(queue) ? 1 : (options.concurrency ?? 2),
        lockDuration: this.config.WORKER_LOCK_MS,
        stalledInterval: Math.max(500, Math.round(this.config.WORKER_LOCK_MS / 4)),
        maxStalledCount: 2,
      });
      worker.on('failed', (job, error) => void this.failed(queue, job, error));
      worker.on('completed', () => jobsFinished.inc({ queue, outcome: 'completed' }));
      worker.on('error', (error) => this.logger.error(`queue ${queue}: ${error.message}`));
      this.workers.push(worker);
    }
    const beat = () =>
      this.registry
        .beat({
          id: this.id,
          tier: options.tier ?? null,
          queues: options.queues,
          host: hostname(),
          pid: process.pid,
          cpuModel: cpus()[0]?.model ?? 'unknown',
          cores: cpus().length,
          device: options.device ?? null,
          envelopeMethod: options.envelopeMethod,
          version: process.env.npm_package_version ?? '0.1.0',
          startedAt: this.startedAt,
          seenAt: new Date().toISOString(),
        })
        .catch((error: Error) => this.logger.warn(`heartbeat failed: ${error.message}`));
    await beat();
    this.heartbeat = setInterval(() => void beat(), 10_000);
    this.heartbeat.unref();
    this.logger.log(`worker ${this.id} consuming ${options.queues.join(', ')}`);
  }

  private dispatch(queue: string, job: Job): Promise<unknown> {
    return dispatchJob(this.table, queue, job);
  }

  private async failed(queue: string, job: Job | undefined, error: Error): Promise<void> {
    jobsFinished.inc({ queue, outcome: 'failed' });
    if (!job) return;
    const { failure, final } = attemptOutcome(job, error);
    this.logger.warn(
      `job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}): ${failure.code}: ${failure.message}`,
    );
    if (!final || !isJobName(job.name)) return;
    const processor = this.table.get(job.name);
    await withCorrelationId((job.data as { correlationId?: string }).correlationId, async () => {
      await processor
        ?.onFinalFailure?.(job as Job<JobPayloads[JobNameValue]>, failure)
        .catch((e: Error) => this.logger.error(`final-failure handler: ${e.message}`));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => undefined)));
    await this.registry.remove(this.id).catch(() => undefined);
  }
}
