import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { correlationId } from '../common/correlation';
import { queueOf, type JobNameValue, type JobPayloads } from './job-catalogue';
import { toFlowJob, type CatalogueFlowJob } from './job-flow';
import { createRedis } from './redis';
import { retention } from './retention';

/** Producers for every queue (created on first use) and a flow producer; one Redis connection for all of them. */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private flowProducer?: FlowProducer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = createRedis(config.REDIS_URL, 'producer', { cluster: config.REDIS_CLUSTER });
  }

  get prefix(): string {
    return this.config.QUEUE_PREFIX;
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  get flows(): FlowProducer {
    this.flowProducer ??= new FlowProducer({ connection: this.connection, prefix: this.prefix });
    return this.flowProducer;
  }

  /** Enqueues a job of the catalogue on its queue, with the current correlation id. */
  async add<N extends JobNameValue>(name: N, data: JobPayloads[N], opts?: JobsOptions): Promise<void> {
    await this.queue(queueOf(name, data)).add(name, { ...data, correlationId: correlationId() }, { ...retention(this.config), ...opts });
  }

  /** Enqueues a flow of catalogue jobs (a parent that runs once its children have finished). */
  async addFlow(flow: CatalogueFlowJob): Promise<void> {
    await this.flows.add(toFlowJob(flow, retention(this.config)));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flowProducer?.close();
    await this.connection.quit().catch(() => undefined);
  }
}
