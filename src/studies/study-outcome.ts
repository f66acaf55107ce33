import { Injectable, Logger } from '@nestjs/common';
import { WebhooksService } from '../webhooks/webhooks.service';
import { StudiesRepository } from './studies.repository';
import { StudyFlow } from './study-flow';

/** How a study ends: the row, an event for live watchers, and the signed webhook. */
@Injectable()
export class StudyOutcome {
  private readonly logger = new Logger('StudyOutcome');

  constructor(
    private readonly studies: StudiesRepository,
    private readonly flow: StudyFlow,
    private readonly webhooks: WebhooksService,
  ) {}

  async complete(
    studyId: string,
    result: { recommendation: { variantId: string; scenario: string; explanation: string } | null; [key: string]: unknown },
  ): Promise<void> {
    await this.studies.completeProgress(studyId);
    if (!(await this.studies.finish(studyId, { status: 'completed', result }))) return;
    await this.flow.publish(studyId);
    const study = (await this.studies.get(studyId))!;
    await this.webhooks.emit(
      study.teamId,
      'study.completed',
      { studyId, modelId: study.modelId, status: 'completed', recommendation: result.recommendation, failures: study.failures },
      { extraUrl: study.webhookUrl ?? undefined, studyId },
    );
    this.logger.log(`study ${studyId} completed`);
  }

  async fail(studyId: string, reason: string): Promise<void> {
    if (!(await this.studies.finish(studyId, { status: 'failed', error: reason }))) return;
    await this.flow.publish(studyId);
    const study = (await this.studies.get(studyId))!;
    await this.webhooks.emit(
      study.teamId,
      'study.failed',
      { studyId, modelId: study.modelId, status: 'failed', error: reason, failures: study.failures },
      { extraUrl: study.webhookUrl ?? undefined, studyId },
    );
    this.logger.warn(`study ${studyId} failed: ${reason}`);
  }
}
