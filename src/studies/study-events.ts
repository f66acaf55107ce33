import { Injectable } from '@nestjs/common';
import { QueuesService } from '../jobs/queues.service';
import type { StudyEvent } from './study.views';

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
