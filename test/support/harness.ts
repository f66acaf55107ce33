import 'reflect-metadata';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import request from 'supertest';
import { createApi } from '../../src/api/create-api';
import { TeamsService } from '../../src/auth/teams.service';
import { repoRoot } from '../../src/common/paths';
import { WorkerHost, type WorkerOptions } from '../../src/worker/worker-host';
import { WorkerModule } from '../../src/worker/worker.module';

/** Every queue a local study uses: a worker on all of them runs a study end to end. */
export const ALL_QUEUES = ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'];

export const fixtures = (...parts: string[]) => join(repoRoot(), 'test/fixtures', ...parts);

/**
 * Isolates a test file: its own blob directory and queue prefix on the shared test database and Redis
 * (npm test sets DATABASE_URL to the test database and migrates it).
 */
export function isolateEnvironment(): void {
  process.env.BLOB_DIR = mkdtempSync(join(tmpdir(), 'tierwise-blobs-'));
  process.env.QUEUE_PREFIX = `tw-test-${randomUUID().slice(0, 8)}`;
  process.env.ALLOW_PRIVATE_WEBHOOKS ??= 'true';
  process.env.LOG_LEVEL ??= 'warn';
  // A shared 2-core test host is noisy all the time: retaking every measurement (with pauses) would only slow the
  // suite. Figures are still marked noisy; retakes have their own tests (src/benchmark/noise.spec.ts, bench/noise).
  process.env.NOISE_MAX_RETAKES ??= '0';
}

export interface Api {
  app: INestApplication;
  http: ReturnType<typeof request>;
  /** A key for a new team of its own, with its Authorization header. */
  newTeam(): Promise<{ team: string; key: string; auth: { Authorization: string } }>;
  close(): Promise<void>;
}

export async function startApi(): Promise<Api> {
  const app = await createApi({ logger: false });
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    http: request(server),
    async newTeam() {
      const team = `team-${randomUUID().slice(0, 8)}`;
      const { key } = await app.get(TeamsService).issueKey(team, 'test');
      return { team, key, auth: { Authorization: `Bearer ${key}` } };
    },
    close: () => app.close(),
  };
}

export async function startWorker(options: Partial<WorkerOptions> & { queues: string[] }): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext(WorkerModule.create(), { logger: false });
  await context.get(WorkerHost).start({ envelopeMethod: 'scaled', ...options });
  return context;
}

/** An api and a worker on every queue, with a new team's key: started before the enclosing describe's tests, closed after. */
export interface Stack {
  api: Api;
  worker: INestApplicationContext;
  auth: { Authorization: string };
}

export function useStack(): Stack {
  const stack = {} as Stack;
  before(async () => {
    stack.api = await startApi();
    stack.worker = await startWorker({ queues: ALL_QUEUES });
    ({ auth: stack.auth } = await stack.api.newTeam());
  });
  after(async () => {
    await stack.worker?.close();
    await stack.api?.close();
  });
  return stack;
}
