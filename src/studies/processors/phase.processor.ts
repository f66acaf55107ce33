import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, type JobPayloads } from '../../jobs/job-catalogue';
import type { JobProcessor } from '../../worker/job-processor';
import { StudyFlow, type Phase } from '../study-flow';
import { StudyOutcome } from '../study-outcome';

type Payload = JobPayloads['phase-done'];

/** Runs when every job of a phase has finished or failed for good, and starts the next phase. */
@Injectable()
export class PhaseProcessor implements JobProcessor {
  readonly handles = [JobName.PhaseDone] as const;

  constructor(private readonly flow: StudyFlow, private readonly outcome: StudyOutcome) {}

  async handle(job: Job<Payload>): Promise<void> {
    await this.flow.phaseDone(job.data.studyId, job.data.phase as Phase);
  }

  async onFinalFailure(job: Job<Payload>, error: Error): Promise<void> {
    await this.outcome.fail(job.data.studyId, `the study could not move past its ${job.data.phase} phase: ${error.message}`);
  }
}
