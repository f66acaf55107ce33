import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../src/common/paths';
import { StudyReconciler } from '../src/studies/study-reconciler';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
process.env.WORKER_LOCK_MS = '2000';
const FIXED_QUEUES = ['build', 'evaluate', 'advise', 'webhook'];

function spawnWorker(args: string[]): ChildProcess {
  return spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), 'worker', ...args], { env: process.env, stdio: 'ignore' });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('studies survive failures', () => {
  let api: Api;
  const workers: INestApplicationContext[] = [];
  let auth: { Authorization: string };
  let ids: { modelId: string; datasetId: string };
  const prefix = process.env.QUEUE_PREFIX!;

  before(async () => {
    api = await startApi();
    workers.push(await startWorker({ queues: FIXED_QUEUES }));
    ({ auth } = await api.newTeam());
    ids = await uploadImageFamily(api, auth, []);
  });
  after(async () => {
    for (const w of workers) await w.close();
    await api.close();
  });

  test('a tier worker killed in the middle of a measurement: its job runs again elsewhere and the study completes', async () => {
    const doomed = spawnWorker(['--tier', 'mobile']);
    const exited = new Promise((r) => doomed.once('exit', r));
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 2, timeBudgetMs: 3000 } })
      .expect(202);
    const queue = new Queue('bench-mobile', { connection: { url: process.env.REDIS_URL }, prefix });
    try {
      const active = await until('the measurement to start', async () => (await queue.getActive())[0]);
      assert.equal(active.data.studyId, created.body.id);
      doomed.kill('SIGKILL');
      await exited;
      workers.push(await startWorker({ queues: ['bench-mobile'], tier: 'mobile' }));
      const study = await waitForStudy(api, auth, created.body.id, 120_000);
      assert.equal(study.status, 'completed', JSON.stringify(study.failures));
      const measurements = (await api.http.get(`/v1/studies/${study.id}/measurements`).set(auth).expect(200)).body;
      assert.equal(measurements.length, 1);
    } finally {
      await queue.close();
      if (doomed.exitCode === null) doomed.kill('SIGKILL');
    }
  });

  test('when Redis loses every job (a restart without persistence), the reconciler re-enqueues the study', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['edge'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const redis = new Redis(process.env.REDIS_URL!);
    const keys = await redis.keys(`${prefix}:*`);
    assert.ok(keys.length > 0);
    await redis.del(...keys);
    await redis.quit();
    const edgeWorker = await startWorker({ queues: ['bench-edge'], tier: 'edge' });
    workers.push(edgeWorker);
    const reconciler = workers[0].get(StudyReconciler, { strict: false });
    let resumed = 0;
    await until(
      'the reconciler to pick the study up',
      async () => {
        const study = (await api.http.get(`/v1/studies/${created.body.id}`).set(auth)).body;
        if (study.status === 'completed') return true;
        resumed += await reconciler.reconcile(0, [created.body.id]);
        await new Promise((r) => setTimeout(r, 1000));
        return undefined;
      },
      120_000,
    );
    assert.ok(resumed >= 1);
    const study = await waitForStudy(api, auth, created.body.id);
    assert.equal(study.status, 'completed');
  });
});
