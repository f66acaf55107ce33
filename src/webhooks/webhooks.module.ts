import { Module } from '@nestjs/common';
import { DeliveryQueue } from './delivery-queue';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WEBHOOK_SETTINGS, loadWebhookSettings } from './webhook-settings';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksResolver } from './webhooks.resolver';
import { WebhooksService } from './webhooks.service';

/**
 * Team webhook endpoints, signed deliveries and their retries. Other modules call `WebhooksService.emit` when
 * a study ends; workers consuming the `webhook` queue run WebhookDeliveryProcessor.
 */
@Module({
  controllers: [WebhooksController],
  providers: [
    { provide: WEBHOOK_SETTINGS, useFactory: () => loadWebhookSettings() },
    WebhooksRepository,
    WebhooksService,
    WebhooksResolver,
    DeliveryQueue,
    WebhookDeliveryProcessor,
  ],
  exports: [WebhooksService, WebhookDeliveryProcessor],
})
export class WebhooksModule {}
