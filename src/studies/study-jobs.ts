import { Injectable, Logger } from '@nestjs/common';
import { isTierwiseError } from '../common/errors';
import { finalFailure, type JobFailure } from '../jobs/job-failure';
import { StudiesRepository } from './studies.repository';
import { StudyFlow } from './study-flow';
import { isTerminal } from './study-status';
import type { StudyFailure } from './study.views';
import { VariantsRepository, type VariantRecord } from './variants.repository';

/** Bookkeeping every study job shares: progress, failures that do not fail the study, and events. */
@Injectable()
export class StudyJobs {
  private readonly logger = new Logger('StudyJobs');

  constructor(
    private readonly studies: StudiesRepository,
    private readonly variants: VariantsRepository,
    private readonly flow: StudyFlow,
  ) {}

  /** The study and the built variant a bench or evaluate job works on; null when the study has ended. */
  async builtTarget(
    studyId: string,
    variantId: string,
  ): Promise<{ study: NonNullable<Awaited<ReturnType<StudiesRepository['get']>>>; variant: VariantRecord & { blobSha: string } } | null> {
    const study = await this.studies.get(studyId);
    if (!study || isTerminal(study.status)) return null;
    const variant = await this.variants.get(variantId);
    if (!variant?.blobSha || variant.status !== 'ready') throw finalFailure('VARIANT_NOT_BUILT', `variant ${variantId} is not built`);
    return { study, variant: variant as VariantRecord & { blobSha: string } };
  }

  async isCancelled(studyId: string): Promise<boolean> {
    const study = await this.studies.get(studyId);
    return !study || study.status === 'cancelled' || study.status === 'failed';
  }

  /**
   * A signal that aborts when the study is cancelled (or fails) while a job's child process runs, so cancel stops
   * running work too. Polls the study's status once a second; call stop() when the child is done.
   */
  watchCancellation(studyId: string, everyMs = 1000): { signal: AbortSignal; stop(): void } {
    const controller = new AbortController();
    const timer = setInterval(() => {
      void this.isCancelled(studyId).then(
        (cancelled) => cancelled && controller.abort(),
        () => undefined,
      );
    }, everyMs);
    timer.unref();
    return { signal: controller.signal, stop: () => clearInterval(timer) };
  }

  async finished(studyId: string): Promise<void> {
    await this.studies.jobFinished(studyId);
    await this.flow.publish(studyId);
  }

  /** A job failed for good: the study goes on without what it would have produced, and says why. */
  async failed(studyId: string, where: Omit<StudyFailure, 'at' | 'code' | 'message'>, failure: JobFailure): Promise<void> {
    const { code, message } = failure;
    this.logger.warn(`study ${studyId}: ${where.job} failed for good: ${code}: ${message}`);
    await this.studies.addFailure(studyId, { ...where, code, message: message.slice(0, 2000), at: new Date().toISOString() });
    await this.finished(studyId);
  }
}

/** True for the error a child run ends with when its study was cancelled under it. */
export function isCancellation(error: unknown): boolean {
  return isTierwiseError(error) && error.code === 'CANCELLED';
}
