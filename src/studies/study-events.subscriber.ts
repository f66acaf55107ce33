import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { createRedis } from '../jobs/redis';
import { StudyEvents } from './study-events';
import { isTerminal } from './study-status';
import type { StudyEvent } from './study.views';

/**
 * Study progress for this api process's SSE streams and GraphQL subscriptions, from Redis pub/sub through
 * graphql-redis-subscriptions: one Redis subscription per study channel, fanned out to every local subscriber,
 * so any api replica serves any client whichever worker published the event.
 */
@Injectable()
export class StudyEventsSubscriber implements OnModuleDestroy {
  private pubsub?: RedisPubSub;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: StudyEvents,
  ) {}

  private connection(): RedisPubSub {
    this.pubsub ??= new RedisPubSub({
      publisher: createRedis(this.config.REDIS_URL, 'study-events-publisher', { cluster: this.config.REDIS_CLUSTER }),
      subscriber: createRedis(this.config.REDIS_URL, 'study-events', { cluster: this.config.REDIS_CLUSTER }),
    });
    return this.pubsub;
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
      const pubsub = this.connection();
      const subscription = pubsub.subscribe(channel, (event: StudyEvent) => {
        subscriber.next(event);
        if (terminal(event)) subscriber.complete();
      });
      subscription.catch((error: Error) => subscriber.error(error));
      return () =>
        void subscription.then(
          (id) => pubsub.unsubscribe(id),
          () => undefined,
        );
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pubsub?.close().catch(() => undefined);
  }
}
