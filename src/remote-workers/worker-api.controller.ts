import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { WorkerRoute, type AuthedRequest } from '../auth/auth.guard';
import { TierwiseError } from '../common/errors';
import type { NewMeasurement } from '../studies/results.repository';
import { decodeLease, LEASE_HEADER } from './job-lease';
import { checkMeasurement } from './measurement-check';
import { RemoteJobsService, type WorkerCaller } from './remote-jobs.service';

const TIER = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class NextJobDto {
  @IsString()
  @Matches(TIER, { message: 'tier must be a tier name' })
  tier: string;

  /** How long to hold the request open for a job (a long poll), at most 30 s. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30_000)
  waitMs?: number;
}

export class HeartbeatDto {
  @IsString() @IsNotEmpty() @MaxLength(200) id: string;
  @IsOptional() @IsString() @Matches(TIER) tier?: string;
  @IsArray() @IsString({ each: true }) queues: string[];
  @IsString() @MaxLength(255) host: string;
  @IsInt() pid: number;
  @IsString() @MaxLength(255) cpuModel: string;
  @IsInt() @Min(1) cores: number;
  @IsOptional() @IsString() @MaxLength(255) device?: string;
  @IsString() @MaxLength(32) envelopeMethod: string;
  @IsString() @MaxLength(64) version: string;
  @IsString() @MaxLength(64) startedAt: string;
}

export class MeasurementDto {
  @IsString() studyId: string;
  @IsObject() record: Record<string, unknown>;
}

export class FinishedDto {
  @IsString() studyId: string;
}

export class FailureDto {
  @IsString() @MaxLength(100) code: string;
  @IsString() @MaxLength(4000) message: string;
  @IsBoolean() retryable: boolean;
  @IsOptional() @IsObject() details?: Record<string, unknown>;
}

function callerOf(req: AuthedRequest): WorkerCaller {
  if (!req.worker) throw new TierwiseError('WORKER_TOKEN_REQUIRED', 'this route takes a worker token');
  return req.worker;
}

/** Aborts when the client hangs up before the answer is sent (a long poll given up). */
function hangUp(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) controller.abort();
  });
  return controller.signal;
}

/**
 * What a worker on another machine calls (`tierwise worker --api <url> --token <worker token>`), and nothing else
 * may: a worker token reaches only these routes, a team key none of them. Internal to the worker protocol, so kept
 * out of the public OpenAPI document; see workers/README.md.
 */
@ApiExcludeController()
@ApiBearerAuth()
@WorkerRoute()
@Controller('v1/worker')
export class WorkerApiController {
  constructor(private readonly jobs: RemoteJobsService) {}

  @Post('heartbeat')
  @HttpCode(204)
  async heartbeat(@Req() req: AuthedRequest, @Body() body: HeartbeatDto): Promise<void> {
    await this.jobs.beat(callerOf(req), {
      ...body,
      tier: body.tier ?? null,
      device: body.device ?? null,
      seenAt: new Date().toISOString(),
    });
  }

  /** The tier's next job (200 with a lease), or 204 when none came within waitMs. */
  @Post('jobs/next')
  async next(@Req() req: AuthedRequest, @Res({ passthrough: true }) res: Response, @Body() body: NextJobDto) {
    const job = await this.jobs.next(callerOf(req), body.tier, body.waitMs ?? 20_000, hangUp(res));
    if (!job) res.status(204);
    else res.status(200);
    return job ?? undefined;
  }

  @Post('jobs/extend')
  @HttpCode(200)
  extend(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string) {
    return this.jobs.extend(callerOf(req), decodeLease(lease));
  }

  @Get('jobs/target')
  async target(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string) {
    return { target: await this.jobs.target(callerOf(req), decodeLease(lease)) };
  }

  @Get('jobs/dataset')
  dataset(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string) {
    return this.jobs.dataset(callerOf(req), decodeLease(lease));
  }

  /** A blob of the held job, by sha256; HTTP Range requests continue a cut-off download. */
  @Get('blobs/:sha')
  async blob(@Req() req: AuthedRequest & Request, @Res() res: Response, @Headers(LEASE_HEADER) lease: string, @Param('sha') sha: string) {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new TierwiseError('BLOB_INVALID', `not a sha256: ${sha}`);
    const path = await this.jobs.blobPath(callerOf(req), decodeLease(lease), sha);
    await new Promise<void>((resolve, reject) =>
      res.sendFile(path, { acceptRanges: true, cacheControl: false, headers: { 'X-Content-SHA256': sha } }, (error) =>
        error && !res.headersSent ? reject(error) : resolve(),
      ),
    );
  }

  @Post('jobs/measurement')
  @HttpCode(204)
  async measurement(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string, @Body() body: MeasurementDto): Promise<void> {
    await this.jobs.saveMeasurement(callerOf(req), decodeLease(lease), body.studyId, checkMeasurement(body.record) as NewMeasurement);
  }

  @Post('jobs/finished')
  @HttpCode(204)
  async finished(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string, @Body() body: FinishedDto): Promise<void> {
    await this.jobs.finished(callerOf(req), decodeLease(lease), body.studyId);
  }

  @Post('jobs/complete')
  @HttpCode(204)
  async complete(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string): Promise<void> {
    await this.jobs.complete(callerOf(req), decodeLease(lease));
  }

  @Post('jobs/fail')
  @HttpCode(200)
  fail(@Req() req: AuthedRequest, @Headers(LEASE_HEADER) lease: string, @Body() body: FailureDto) {
    return this.jobs.fail(callerOf(req), decodeLease(lease), body);
  }
}
