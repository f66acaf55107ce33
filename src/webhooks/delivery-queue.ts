import { Injectable } from '@nestjs/common';
import { JobName, type JobPayloads } from '../jobs/job-catalogue';
import { QueuesService } from '../jobs/queues.service';

/**
 * Enqueues delivery attempts. Each attempt is its own job with a job id made of the delivery and the attempt
 * number, so enqueuing the same attempt twice (an emit repeated, a job re-run after a crash) adds it once.
 * Retries of a failed HTTP attempt are scheduled by the processor, not by BullMQ; BullMQ's own retries only
 * cover a handler that threw (database or Redis unreachable).
 */
@Injectable()
export class DeliveryQueue {
  constructor(private readonly queues: QueuesService) {}

  static jobId(deliveryId: string, attempt: number): string {
    return `${deliveryId}-attempt-${attempt}`;
  }

  async enqueue(deliveryId: string, attempt: number, delayMs = 0): Promise<void> {
    const payload: JobPayloads[typeof JobName.DeliverWebhook] = { deliveryId };
    await this.queues.add(JobName.DeliverWebhook, payload, {
      jobId: DeliveryQueue.jobId(deliveryId, attempt),
      delay: delayMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }
}
