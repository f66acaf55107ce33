import { Global, Inject, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { createRedis } from '../../jobs/redis';
import { QueuesService } from '../../jobs/queues.service';

/** What a cached view shows: a change to either drops every cached view of that kind, on every api replica. */
export type ViewKind = 'studies' | 'models';
const KINDS: readonly ViewKind[] = ['studies', 'models'];

interface Entry {
  generation: number;
  expiresAt: number;
  value: Promise<unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The read views (`GET /v1/studies/:id`, the study and model lists, their GraphQL twins) kept in memory for
 * `VIEW_CACHE_MS`, so a dashboard that polls costs a map lookup instead of a query.
 *
 * Staleness is bounded by invalidation, not only by the time limit: every write to a study, a model or a variant
 * goes through its repository, which calls `changed(kind)`. That drops the kind's views on this process at once
 * (a client reads its own writes) and publishes the kind on `{prefix}:views-changed`, which every other process
 * — api replicas, and the api behind a worker that wrote — hears within Redis's pub/sub delay. A view is cached
 * only while this process's subscription to that channel is live: before it is, and from a disconnect until it
 * is back (pub/sub drops what it sends meanwhile), every read goes to Postgres. A load that was in flight when a
 * change arrived is served to the callers that were waiting on it but not kept. Not-found answers are not kept.
 * Values are frozen: a caller that tried to change a shared view would throw instead of corrupting it.
 */
@Injectable()
export class ViewCache implements OnModuleDestroy {
  private readonly log = new Logger('ViewCache');
  private readonly ttlMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly generations: Record<ViewKind, number> = { studies: 0, models: 0 };
  private subscriber?: Redis;
  private live = false;
  /** A bound on memory: the oldest view goes first past it (a view is a few KB; a list page of models, tens). */
  static readonly MAX_ENTRIES = 2_000;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
  ) {
    this.ttlMs = config.VIEW_CACHE_MS;
  }

  /** Whether views are being kept now (the subscription to `channel` is live). */
  get listening(): boolean {
    return this.live;
  }

  get channel(): string {
    return `${this.queues.prefix}:views-changed`;
  }

  /** The view under `key` of `kind`, from memory when a fresh copy is there, else from `load` (one load per key at a time). */
  read<T>(kind: ViewKind, key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs === 0) return load();
    this.listen();
    if (!this.live) return load();
    const id = `${kind}\u0000${key}`;
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && hit.generation === this.generations[kind] && hit.expiresAt > now) return hit.value as Promise<T>;
    const entry: Entry = { generation: this.generations[kind], expiresAt: now + this.ttlMs, value: load().then(deepFreeze) };
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > ViewCache.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const drop = () => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    };
    entry.value.then((value) => (value === null || value === undefined ? drop() : undefined), drop);
    return entry.value as Promise<T>;
  }

  /** A write to `kinds` has been committed: drop their views here now, and on every other process once it hears. */
  async changed(...kinds: ViewKind[]): Promise<void> {
    this.invalidate(kinds);
    try {
      await this.queues.connection.publish(this.channel, kinds.join(','));
    } catch (error) {
      this.log.warn(`views-changed not published (${(error as Error).message}); other replicas hold theirs up to ${this.ttlMs} ms`);
    }
  }

  private invalidate(kinds: readonly ViewKind[]): void {
    for (const kind of kinds) if (kind in this.generations) this.generations[kind]++;
  }

  /** Subscribes once, on the first read: processes that never serve a view (workers) open no subscriber. */
  private listen(): void {
    if (this.subscriber) return;
    const subscriber = createRedis(this.config.REDIS_URL, 'views-changed', { cluster: this.config.REDIS_CLUSTER });
    this.subscriber = subscriber;
    const down = () => {
      this.live = false;
      this.invalidate(KINDS);
    };
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.invalidate(message.split(',') as ViewKind[]);
    });
    subscriber.on('close', down);
    subscriber.on('error', down);
    // ioredis re-subscribes after a reconnect before it emits `ready`; anything published while down was lost.
    subscriber.on('ready', () => {
      void subscriber.subscribe(this.channel).then(() => {
        this.invalidate(KINDS);
        this.live = true;
      }, down);
    });
  }

  onModuleDestroy(): void {
    this.live = false;
    this.subscriber?.disconnect(false);
  }
}

@Global()
@Module({ providers: [ViewCache], exports: [ViewCache] })
export class ViewCacheModule {}
