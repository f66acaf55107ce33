import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { STUDY_PHASES, type StudyPhase } from '../jobs/job-catalogue';
import { QueuesService } from '../jobs/queues.service';
import { StudiesRepository } from './studies.repository';
import { StudyFlow } from './study-flow';

/**
 * Nothing is lost when Redis restarts (this deployment's Redis keeps nothing on disk) or the api dies between
 * writing a study and enqueuing it: studies live in Postgres, and this loop re-enqueues the current phase of any
 * unfinished study whose jobs are gone. Job ids are deterministic, so a phase is never enqueued twice.
 */
@Injectable()
export class StudyReconciler implements OnApplicationShutdown {
  private readonly logger = new Logger('StudyReconciler');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly studies: StudiesRepository,
    private readonly flow: StudyFlow,
    private readonly queues: QueuesService,
  ) {}

  start(intervalMs = 30_000, settledMs = 30_000): void {
    const tick = () => void this.reconcile(settledMs).catch((error: Error) => this.logger.warn(`reconcile failed: ${error.message}`));
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** `settledMs`: leave alone studies younger than this (the api is still enqueuing them); `only`: these studies. */
  async reconcile(settledMs = 30_000, only?: string[]): Promise<number> {
    let resumed = 0;
    for (const study of await this.studies.active(this.queues.prefix, settledMs)) {
      if (only && !only.includes(study.id)) continue;
      const phase = study.phase as StudyPhase | null;
      if (!phase) {
        await this.flow.start(study.id);
        resumed++;
        continue;
      }
      if (!STUDY_PHASES.includes(phase)) continue;
      const state = await this.flow.phaseState(study.id, phase);
      if (state === 'missing') {
        this.logger.warn(`study ${study.id}: its ${phase} jobs are gone from Redis; enqueuing them again`);
        await this.flow.startPhase(study.id, phase, true);
        resumed++;
      } else if (state === 'completed' && phase !== 'advise') {
        await this.flow.phaseDone(study.id, phase);
        resumed++;
      }
    }
    return resumed;
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
