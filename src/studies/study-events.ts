import { Injectable } from '@nestjs/common';
import { QueuesService } from '../jobs/queues.service';
import type { StudyEvent, StudyView } from './study.views';

/** A study's progress event as it stands now: what Redis, the SSE stream and the GraphQL subscription carry. */
export function progressEvent(
  study: Pick<StudyView, 'id' | 'status' | 'phase' | 'progress' | 'jobsDone' | 'jobsTotal' | 'error'>,
): StudyEvent {
  return {
    studyId: study.id,
    status: study.status,
    phase: study.phase,
    progress: study.progress,
    jobsDone: study.jobsDone,
    jobsTotal: study.jobsTotal,
    error: study.error,
    at: new Date().toISOString(),
  };
}

/** Study progress on Redis pub/sub: workers publish, every api instance relays to its SSE and GraphQL subscribers. */
@Injectable()
export class StudyEvents {
  constructor(private readonly queues: QueuesService) {}

  channel(studyId: string): string {
    return `${this.queues.prefix}:study-events:${studyId}`;
  }

  async publish(event: StudyEvent): Promise<void> {
    await this.queues.connection.publish(this.channel(event.studyId), JSON.stringify(event));
  }
}
