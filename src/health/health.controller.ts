import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard';
import { QueuesService } from '../jobs/queues.service';
import { PrismaService } from '../prisma/prisma.service';

const TIMEOUT_MS = 2000;

/** Each dependency as `{ ok, ms, error? }`: the short form scripts and the CLI read beside terminus's details. */
function summary(result: HealthCheckResult, key: string): { ok: boolean; ms?: number; error?: string } {
  const entry = result.details[key] as { status: string; responseTime?: number; message?: string } | undefined;
  return { ok: entry?.status === 'up', ms: entry?.responseTime, ...(entry?.message ? { error: entry.message } : {}) };
}

@SkipThrottle()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly queues: QueuesService,
  ) {}

  /** 200 when Postgres and Redis both answer within 2 s, 503 otherwise; needs no API key. */
  @Public()
  @Get()
  async check(@Res() res: Response): Promise<void> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.ping('postgres', () => this.prisma.$queryRaw`select 1`),
        () => this.ping('redis', () => this.queues.connection.ping()),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    const ok = result.status === 'ok';
    res
      .status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ ...result, postgres: summary(result, 'postgres'), redis: summary(result, 'redis') });
  }

  private ping(key: string, probe: () => Promise<unknown>): PromiseLike<HealthIndicatorResult> {
    return this.indicator
      .check(key)
      .attempt(async () => {
        await probe();
      })
      .withTimeout(TIMEOUT_MS);
  }
}
