import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, type JobPayloads } from '../../jobs/job-catalogue';
import type { JobFailure } from '../../jobs/job-failure';
import type { JobProcessor } from '../../jobs/job-processor';
import { StudyFlow } from '../study-flow';
import { StudyOutcome } from '../study-outcome';

type Payload = JobPayloads['phase-done'];

/** Runs when every job of a phase has finished or failed for good, and starts the next phase. */
@Injectable()
export class PhaseProcessor implements JobProcessor<typeof JobName.PhaseDone> {
  readonly handles = [JobName.PhaseDone] as const;

  constructor(
    private readonly flow: StudyFlow,
    private readonly outcome: StudyOutcome,
  ) {}

  async handle(job: Job<Payload>): Promise<void> {
    await this.flow.phaseDone(job.data.studyId, job.data.phase);
  }

  async onFinalFailure(job: Job<Payload>, failure: JobFailure): Promise<void> {
    await this.outcome.fail(job.data.studyId, `the study could not move past its ${job.data.phase} phase: ${failure.message}`);
  }
}
