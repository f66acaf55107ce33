import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { createRedis } from '../jobs/redis';
import { StudyEvents } from './study-events';
import { isTerminal } from './study-status';
import type { StudyEvent } from './study.views';

/** One Redis subscription per api process, fanned out to every SSE and GraphQL subscriber of a study. */
@Injectable()
export class StudyEventsSubscriber implements OnModuleDestroy {
  private redis?: Redis;
  private readonly listeners = new Map<string, Set<(event: StudyEvent) => void>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly events: StudyEvents) {}

  private connection(): Redis {
    if (!this.redis) {
      this.redis = createRedis(this.config.REDIS_URL, 'study-events');
      this.redis.on('message', (channel: string, message: string) => {
        const event = JSON.parse(message) as StudyEvent;
        for (const listener of this.listeners.get(channel) ?? []) listener(event);
      });
    }
    return this.redis;
  }

  /** Events of one study, starting with `initial`; completes after a terminal status. */
  watch(studyId: string, initial: StudyEvent): Observable<StudyEvent> {
    const channel = this.events.channel(studyId);
    return new Observable<StudyEvent>((subscriber) => {
      const terminal = (e: StudyEvent) => isTerminal(e.status);
      subscriber.next(initial);
      if (terminal(initial)) {
        subscriber.complete();
        return undefined;
      }
      const listener = (event: StudyEvent) => {
        subscriber.next(event);
        if (terminal(event)) subscriber.complete();
      };
      let set = this.listeners.get(channel);
      if (!set) {
        set = new Set();
        this.listeners.set(channel, set);
        void this.connection().subscribe(channel);
      }
      set.add(listener);
      return () => {
        set!.delete(listener);
        if (set!.size === 0) {
          this.listeners.delete(channel);
          void this.redis?.unsubscribe(channel);
        }
      };
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
