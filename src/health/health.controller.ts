import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard';
import { QueuesService } from '../jobs/queues.service';
import { PrismaService } from '../prisma/prisma.service';

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

@SkipThrottle()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly prisma: PrismaService, private readonly queues: QueuesService) {}

  /** 200 when Postgres and Redis both answer, 503 otherwise; needs no API key. */
  @Public()
  @Get()
  async health(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([probe(() => this.prisma.$queryRaw`select 1`), probe(() => this.queues.connection.ping())]);
    const ok = postgres.ok && redis.ok;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: ok ? 'ok' : 'degraded', postgres, redis });
  }
}
