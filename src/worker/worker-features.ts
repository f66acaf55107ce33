import type { Type } from '@nestjs/common';
import { WebhookDeliveryProcessor } from '../webhooks/webhook-delivery.processor';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { STUDY_PROCESSORS, StudiesModule } from '../studies/studies.module';
import type { JobProcessor } from '../jobs/job-processor';

/** The domain modules whose processors run in workers; each exports the processor classes it lists. */
export const workerFeatures: Array<{ module: Type<unknown>; processors: Array<Type<JobProcessor>> }> = [
  { module: WebhooksModule, processors: [WebhookDeliveryProcessor] },
  { module: StudiesModule, processors: STUDY_PROCESSORS },
];
