import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { isTierwiseError } from '../common/errors';
import { StudiesRepository } from './studies.repository';
import { StudyFlow } from './study-flow';
import type { StudyFailure } from './study.views';
import { VariantsRepository, type VariantRecord } from './variants.repository';

/** Bookkeeping every study job shares: progress, failures that do not fail the study, and events. */
@Injectable()
export class StudyJobs {
  private readonly logger = new Logger('StudyJobs');

  constructor(private readonly studies: StudiesRepository, private readonly variants: VariantsRepository, private readonly flow: StudyFlow) {}

  /** The study and the built variant a bench or evaluate job works on; null when the study has ended. */
  async builtTarget(studyId: string, variantId: string): Promise<{ study: NonNullable<Awaited<ReturnType<StudiesRepository['get']>>>; variant: VariantRecord & { blobSha: string } } | null> {
    const study = await this.studies.get(studyId);
    if (!study || ['cancelled', 'failed', 'completed'].includes(study.status)) return null;
    const variant = await this.variants.get(variantId);
    if (!variant?.blobSha || variant.status !== 'ready') throw new UnrecoverableError(`VARIANT_NOT_BUILT: variant ${variantId} is not built`);
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
  async failed(studyId: string, failure: Omit<StudyFailure, 'at' | 'code' | 'message'>, error: Error): Promise<void> {
    const { code, message } = describeFailure(error);
    this.logger.warn(`study ${studyId}: ${failure.job} failed for good: ${code}: ${message}`);
    await this.studies.addFailure(studyId, { ...failure, code, message: message.slice(0, 2000), at: new Date().toISOString() });
    await this.finished(studyId);
  }
}

/** The code of a failure: a TierwiseError's own, or the `CODE: ` prefix an UnrecoverableError was given. */
export function describeFailure(error: Error): { code: string; message: string } {
  if (isTierwiseError(error)) return { code: error.code, message: error.message };
  const prefixed = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(error.message);
  return prefixed ? { code: prefixed[1], message: prefixed[2] } : { code: 'JOB_FAILED', message: error.message };
}

/** True for the error a child run ends with when its study was cancelled under it. */
export function isCancellation(error: unknown): boolean {
  return isTierwiseError(error) && error.code === 'CANCELLED';
}
