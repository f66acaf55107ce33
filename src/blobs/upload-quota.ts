import { CanActivate, ExecutionContext, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { createRedis } from '../jobs/redis';
import { randomUUID } from 'node:crypto';
import type { TeamRef } from '../auth/teams.repository';
import { TierwiseError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/env';

/** An upload stops counting after this long even if its request never ended (a process killed mid-upload). */
const SLOT_MS = 30 * 60_000;

/**
 * At most TEAM_MAX_UPLOADS uploads per team in flight at once, across api replicas: each upload holds a member of
 * a Redis sorted set (scored by when it lapses) until its response closes. Redis unreachable: uploads go through.
 */
@Injectable()
export class UploadQuota implements OnModuleDestroy {
  private readonly logger = new Logger('UploadQuota');
  private redis?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private connection(): Redis {
    this.redis ??= createRedis(this.config.REDIS_URL, 'upload-quota', {
      cluster: this.config.REDIS_CLUSTER,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
    });
    return this.redis;
  }

  /** Takes a slot for the team or throws 429 UPLOAD_QUOTA_EXCEEDED; returns the release. */
  async acquire(teamId: string): Promise<() => Promise<void>> {
    const key = `${this.config.QUEUE_PREFIX}:uploads:${teamId}`;
    const id = randomUUID();
    const now = Date.now();
    const redis = this.connection();
    let held: number;
    try {
      const replies = await redis
        .multi()
        .zremrangebyscore(key, '-inf', now)
        .zadd(key, now + SLOT_MS, id)
        .zcard(key)
        .pexpire(key, SLOT_MS)
        .exec();
      held = Number(replies?.[2]?.[1] ?? 0);
    } catch (error) {
      this.logger.warn(`upload quota not checked (${(error as Error).message}); upload let through`);
      return async () => undefined;
    }
    const release = async () => {
      await redis.zrem(key, id).catch(() => undefined);
    };
    if (held > this.config.TEAM_MAX_UPLOADS) {
      await release();
      throw new TierwiseError(
        'UPLOAD_QUOTA_EXCEEDED',
        `the team already has ${this.config.TEAM_MAX_UPLOADS} uploads in flight; retry when one has finished`,
        {
          limit: this.config.TEAM_MAX_UPLOADS,
          retryAfterS: 5,
        },
      );
    }
    return release;
  }

  onModuleDestroy(): void {
    this.redis?.disconnect(false);
  }
}

/** On upload routes: holds one of the team's upload slots until the response closes (finished or aborted). */
@Injectable()
export class UploadQuotaGuard implements CanActivate {
  constructor(private readonly quota: UploadQuota) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { team?: TeamRef }>();
    if (!req.team) return true;
    const release = await this.quota.acquire(req.team.id);
    http.getResponse<Response>().once('close', () => void release());
    return true;
  }
}
