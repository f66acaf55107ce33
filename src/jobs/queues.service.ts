import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { correlationId } from '../common/correlation';
import { createRedis } from './redis';

/** Producers for every queue (created on first use) and a flow producer; one Redis connection for all of them. */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private flowProducer?: FlowProducer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = createRedis(config.REDIS_URL, 'producer');
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

  async add<T extends object>(queue: string, job: string, data: T, opts?: JobsOptions): Promise<void> {
    await this.queue(queue).add(job, { ...data, correlationId: correlationId() }, opts);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flowProducer?.close();
    await this.connection.quit().catch(() => undefined);
  }
}
