import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { JobName, type JobPayloads, type JobResults } from '../jobs/job-catalogue';
import type { JobProcessor } from '../jobs/job-processor';
import { DeliveryQueue } from './delivery-queue';
import { postMessage } from './http-delivery';
import { retryDelayMs } from './retry-schedule';
import { generateSecret, signedHeaders } from './signing';
import { WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings';
import type { DeliveryStatus } from './webhook.views';
import { WebhooksRepository } from './webhooks.repository';

/** A job that runs this much before its delivery's scheduled time is a re-run after a crash, not the retry. */
const EARLY_TOLERANCE_MS = 1000;

/** Makes one attempt of a delivery, logs it on the delivery, and schedules the next attempt when it failed. */
@Injectable()
export class WebhookDeliveryProcessor implements JobProcessor<typeof JobName.DeliverWebhook> {
  readonly handles = [JobName.DeliverWebhook] as const;
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly repository: WebhooksRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async handle(job: Job<JobPayloads[typeof JobName.DeliverWebhook]>): Promise<JobResults[typeof JobName.DeliverWebhook]> {
    const { deliveryId } = job.data;
    const delivery = await this.repository.findDeliveryToSend(deliveryId);
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') return { outcome: 'skipped' };
    const attempt = delivery.attempts + 1;
    const waitMs = delivery.nextAttemptAt ? delivery.nextAttemptAt.getTime() - Date.now() : 0;
    if (waitMs > EARLY_TOLERANCE_MS && job.id !== DeliveryQueue.jobId(delivery.id, attempt)) {
      await this.queue.enqueue(delivery.id, attempt, waitMs);
      return { outcome: 'skipped' };
    }

    const secret = delivery.endpointSecret ?? (await this.repository.teamSigningSecret(delivery.teamId, generateSecret));
    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const startedAt = new Date();
    const outcome = await postMessage(delivery.url, signedHeaders(secret, delivery.messageId, timestamp, body), body, {
      timeoutMs: this.settings.timeoutMs,
      allowPrivate: this.config.ALLOW_PRIVATE_WEBHOOKS,
    });

    const delayMs = outcome.ok ? null : retryDelayMs(attempt, this.settings.retryScale);
    const status: DeliveryStatus = outcome.ok ? 'delivered' : delayMs === null ? 'failed' : 'retrying';
    const nextAttemptAt = delayMs === null ? null : new Date(Date.now() + delayMs);
    const entry = {
      attempt,
      at: startedAt.toISOString(),
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode,
      error: outcome.error,
    };
    const recorded = await this.repository.recordAttempt(delivery, { entry, status, nextAttemptAt });
    if (!recorded) return { outcome: 'skipped' };
    if (status === 'failed')
      this.logger.warn(`webhook ${delivery.messageId} to ${delivery.url} gave up after ${attempt} attempts: ${outcome.error}`);
    if (delayMs !== null) await this.queue.enqueue(delivery.id, attempt + 1, delayMs);
    return { outcome: status };
  }
}
