import { ExecutionContext, Inject, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import {
  ThrottlerGuard,
  ThrottlerModule,
  seconds,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { AuthedRequest } from '../auth/auth.guard';
import { TierwiseError, isTierwiseError } from '../common/errors';
import { createRedis } from '../jobs/redis';
import { APP_CONFIG, type AppConfig } from '../config/env';

/** Grants up to ARGV[3] of the window's remaining hits; starts the window (ARGV[1] ms) on its first hit. */
const LEASE_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
local limit = tonumber(ARGV[2])
if used >= limit and ttl > 0 then return {0, used, ttl} end
if ttl <= 0 then used = 0 end
local grant = math.min(tonumber(ARGV[3]), limit - used)
if ttl <= 0 then
  redis.call('SET', KEYS[1], grant, 'PX', ARGV[1])
  ttl = tonumber(ARGV[1])
else
  redis.call('INCRBY', KEYS[1], grant)
end
return {grant, used + grant, ttl}`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Lease {
  /** Hits this process may still let through without asking Redis. */
  left: number;
  /** The window's count in Redis when the lease was taken (this process's unused hits included). */
  counted: number;
  endsAt: number;
  pending?: Promise<void>;
}

type LeasingRedis = Redis & { tierwiseLease(key: string, ttlMs: number, limit: number, want: number): Promise<[number, number, number]> };

/**
 * Rate limits per API key (`RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW_S`, one fixed window and one budget for every
 * route), counted in Redis so the limit holds across api replicas. Requests without a valid key never get this far
 * (the key guard runs first); public routes are counted per client address.
 *
 * Hits are leased, not counted one round trip each: a process takes a block of the window's remaining hits from
 * Redis (a 1 % share of the limit, at most 50, at least 1 — so small limits are counted hit by hit) and lets that
 * many through from memory. The limit is never exceeded; a block another replica holds unused can make this one
 * refuse up to that many hits early in the same window. Once the window is spent, a process refuses from memory
 * until Redis says it ends. Under load this takes the rate limit from one Redis call per request to one per block.
 *
 * Its Redis connection fails fast (one try, 1 s): when Redis is unreachable requests are let through (and logged)
 * rather than held, so a Redis restart does not stall the api.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly redis: LeasingRedis;
  private readonly leases = new Map<string, Lease>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = createRedis(config.REDIS_URL, 'rate-limit', {
      cluster: config.REDIS_CLUSTER,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
    }) as LeasingRedis;
    this.redis.defineCommand('tierwiseLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
  }

  static blockOf(limit: number): number {
    return Math.max(1, Math.min(50, Math.floor(limit / 100)));
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const id = `{${key}:${throttlerName}}:hits`;
    for (;;) {
      const now = Date.now();
      let lease = this.leases.get(id);
      if (lease && lease.endsAt <= now) {
        this.leases.delete(id);
        lease = undefined;
      }
      if (lease?.pending) {
        await lease.pending;
        continue;
      }
      const timeToExpire = lease ? Math.ceil((lease.endsAt - now) / 1000) : 0;
      if (lease && lease.left > 0) {
        lease.left--;
        return { totalHits: lease.counted - lease.left, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
      }
      if (lease && lease.counted >= limit) {
        return { totalHits: limit + 1, timeToExpire, isBlocked: true, timeToBlockExpire: timeToExpire };
      }
      await this.renew(id, ttl, limit, lease);
    }
  }

  private renew(id: string, ttl: number, limit: number, previous: Lease | undefined): Promise<void> {
    const lease: Lease = previous ?? { left: 0, counted: 0, endsAt: Number.POSITIVE_INFINITY };
    this.leases.set(id, lease);
    lease.pending = this.redis
      .tierwiseLease(id, ttl, limit, RateLimitStorage.blockOf(limit))
      .then(([granted, counted, ttlLeft]) => {
        lease.left = granted;
        lease.counted = counted;
        lease.endsAt = Date.now() + ttlLeft;
      })
      .finally(() => {
        lease.pending = undefined;
        if (lease.endsAt === Number.POSITIVE_INFINITY) this.leases.delete(id);
      });
    return lease.pending;
  }

  onModuleDestroy(): void {
    this.redis.disconnect(false);
  }
}

@Module({ providers: [RateLimitStorage], exports: [RateLimitStorage] })
class RateLimitStorageModule {}

function trackerOf(req: AuthedRequest): string {
  return req.apiKeyId ? `key:${req.apiKeyId}` : `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
}

export const RateLimitModule = ThrottlerModule.forRootAsync({
  imports: [RateLimitStorageModule],
  inject: [APP_CONFIG, RateLimitStorage],
  useFactory: (config: AppConfig, storage: RateLimitStorage) => ({
    throttlers: [{ name: 'default', ttl: seconds(config.RATE_LIMIT_WINDOW_S), limit: config.RATE_LIMIT_REQUESTS }],
    storage,
    getTracker: (req: Record<string, unknown>) => trackerOf(req as unknown as AuthedRequest),
    generateKey: (_context: ExecutionContext, tracker: string, name: string) => `${config.QUEUE_PREFIX}:rate:${name}:${tracker}`,
  }),
});

/** 429 `RATE_LIMITED` with `Retry-After`; REST and GraphQL over HTTP alike. */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');

  protected override getRequestResponse(context: ExecutionContext): { req: Record<string, any>; res: Record<string, any> } {
    if (context.getType<string>() === 'graphql') {
      const ctx = GqlExecutionContext.create(context).getContext<{ req: Record<string, any>; res?: Record<string, any> }>();
      return { req: ctx.req, res: ctx.res ?? {} };
    }
    return super.getRequestResponse(context);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (isTierwiseError(error)) throw error;
      this.log.warn(`rate limit not checked (${(error as Error).message}); request let through`);
      return true;
    }
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfterS = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new TierwiseError(
      'RATE_LIMITED',
      `more than ${detail.limit} requests in ${Math.round(detail.ttl / 1000)} s with this key; retry in ${retryAfterS} s`,
      { retryAfterS },
    );
  }
}
