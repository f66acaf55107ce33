import { Injectable } from '@nestjs/common';
import { QueueName, benchQueue } from '../jobs/job-catalogue';
import { QueuesService } from '../jobs/queues.service';
import { TiersConfig } from '../tiers/tiers.config';

const QUEUED_STATES = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'paused'] as const;

/** Removes a study's jobs that have not started; running ones see the study cancelled and stop at their next check. */
@Injectable()
export class StudyCancellation {
  constructor(
    private readonly queues: QueuesService,
    private readonly tiers: TiersConfig,
  ) {}

  async removeQueuedJobs(studyId: string): Promise<number> {
    const names = [QueueName.Build, QueueName.Evaluate, QueueName.Advise, ...this.tiers.names().map(benchQueue)];
    let removed = 0;
    for (const name of names) {
      const jobs = await this.queues.queue(name).getJobs([...QUEUED_STATES]);
      for (const job of jobs) {
        if ((job?.data as { studyId?: string } | undefined)?.studyId !== studyId) continue;
        try {
          await job.remove({ removeChildren: true });
          removed++;
        } catch {
          // Locked by a worker that just took it: that job checks the study's status when it starts.
        }
      }
    }
    return removed;
  }
}
