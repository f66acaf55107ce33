import { ExecutionContext, Inject, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, ThrottlerModule, seconds, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { AuthedRequest } from '../auth/auth.guard';
import { TierwiseError, isTierwiseError } from '../common/errors';
import { createRedis } from '../jobs/redis';
import { APP_CONFIG, type AppConfig } from '../config/env';

/**
 * Rate limits per API key (`RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW_S`, one budget for every route), counted in
 * Redis by @nest-lab/throttler-storage-redis so the limit holds across api replicas. Requests without a valid key
 * never get this far (the key guard runs first); public routes are counted per client address.
 *
 * Its Redis connection fails fast (one try, 1 s): when Redis is unreachable requests are let through (and logged)
 * rather than held, so a Redis restart does not stall the api.
 */
@Injectable()
export class RateLimitStorage extends ThrottlerStorageRedisService implements OnModuleDestroy {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(createRedis(config.REDIS_URL, 'rate-limit', { cluster: config.REDIS_CLUSTER, maxRetriesPerRequest: 1, commandTimeout: 1000 }));
  }

  override onModuleDestroy(): void {
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
