import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../src/common/paths';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
const FIXED_QUEUES = ['build', 'evaluate', 'advise', 'webhook'];
const STUDY = { operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 2, runs: 20 } };

interface StoredMeasurement {
  method: string;
  slowdown: number;
  p50Ms: number;
  samplesMs: number[];
  samplesRawMs: number[];
  envelope: { device?: string; calibration?: { emulatedSlowdown: number; coreSpeed: number }; slowdown: number };
}

/** `tierwise worker --tier mobile --device <name>` as a user starts it: the real CLI in its own process. */
function spawnDeviceWorker(device: string): ChildProcess {
  return spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), 'worker', '--tier', 'mobile', '--device', device], {
    env: process.env,
    stdio: 'ignore',
  });
}

describe('a --device worker records native figures; effort options', () => {
  let api: Api;
  const workers: INestApplicationContext[] = [];
  let auth: { Authorization: string };
  let ids: { modelId: string; datasetId: string };

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

  async function measuredBy(start: () => Promise<() => Promise<void>>): Promise<StoredMeasurement> {
    const stop = await start();
    try {
      const created = await api.http
        .post('/v1/studies')
        .set(auth)
        .send({ ...ids, ...STUDY })
        .expect(202);
      const study = await waitForStudy(api, auth, created.body.id, 240_000);
      assert.equal(study.status, 'completed', JSON.stringify(study.failures));
      const rows = (await api.http.get(`/v1/studies/${study.id}/measurements?samples=true`).set(auth).expect(200)).body;
      assert.equal(rows.length, 1);
      return rows[0] as StoredMeasurement;
    } finally {
      await stop();
    }
  }

  test("its figure is the device's own time, not multiplied by the slowdown an emulated worker applies", async () => {
    const device = await measuredBy(async () => {
      const child = spawnDeviceWorker('Pi 5 (test)');
      const exited = new Promise((r) => child.once('exit', r));
      return async () => {
        child.kill('SIGTERM');
        await exited;
      };
    });
    const emulated = await measuredBy(async () => {
      const worker = await startWorker({ queues: ['bench-mobile'], tier: 'mobile' });
      return () => worker.close();
    });

    // The emulated (scaled) worker multiplies every raw sample by the tier's slowdown …
    assert.equal(emulated.method, 'scaled');
    assert.ok(emulated.slowdown > 1, `the mobile tier is slower than a host core here (s = ${emulated.slowdown})`);
    emulated.samplesMs.forEach((ms, i) => assert.ok(Math.abs(ms - emulated.samplesRawMs[i]! * emulated.slowdown) < 1e-9));

    // … the device worker does not: its figures are what it measured, and it records the calibration it did not apply.
    assert.equal(device.method, 'native');
    assert.equal(device.slowdown, 1);
    assert.deepEqual(device.samplesMs, device.samplesRawMs);
    assert.equal(device.envelope.device, 'Pi 5 (test)');
    assert.equal(device.envelope.calibration?.emulatedSlowdown, emulated.slowdown);
    assert.equal(device.envelope.calibration?.coreSpeed, 1);
    // The same model on the same host cores: the device's p50 sits near the emulated raw one, far below the scaled one.
    const rawP50 = [...emulated.samplesRawMs].sort((a, b) => a - b)[Math.floor(emulated.samplesRawMs.length / 2)]!;
    assert.ok(
      device.p50Ms < emulated.p50Ms,
      `device p50 ${device.p50Ms} ms vs emulated scaled ${emulated.p50Ms} ms (raw ${rawP50} ms, s = ${emulated.slowdown})`,
    );
  });

  test('effort options that contradict each other are 400 EFFORT_INVALID; an unknown mode is 400 VALIDATION_FAILED (REST and GraphQL)', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ targetRelCi: 0.02 }, 'EFFORT_INVALID'],
      [{ mode: 'adaptive', runs: 50 }, 'EFFORT_INVALID'],
      [{ mode: 'sometimes' }, 'VALIDATION_FAILED'],
      [{ mode: 'adaptive', targetRelCi: 0.9 }, 'VALIDATION_FAILED'],
    ];
    for (const [effort, code] of cases) {
      const res = await api.http
        .post('/v1/studies')
        .set(auth)
        .send({ ...ids, ...STUDY, effort })
        .expect(400);
      assert.equal(res.body.error.code, code, JSON.stringify(effort));
    }
    const gql = await api.http
      .post('/graphql')
      .set(auth)
      .send({
        query: 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }',
        variables: { input: { ...ids, ...STUDY, effort: { maxRuns: 100 } } },
      });
    assert.equal(gql.body.errors?.[0]?.extensions?.code, 'EFFORT_INVALID', JSON.stringify(gql.body));
  });

  test('an adaptive study: each measurement records why it stopped, and whether it was retaken or stayed noisy', async () => {
    const worker = await startWorker({ queues: ['bench-mobile'], tier: 'mobile' });
    try {
      const effort = { mode: 'adaptive', targetRelCi: 0.05, timeBudgetMs: 4000, warmup: 2 };
      const created = await api.http
        .post('/v1/studies')
        .set(auth)
        .send({ ...ids, ...STUDY, effort })
        .expect(202);
      const study = await waitForStudy(api, auth, created.body.id, 240_000);
      assert.equal(study.status, 'completed', JSON.stringify(study.failures));
      assert.equal(study.effort.mode, 'adaptive');
      const [m] = (await api.http.get(`/v1/studies/${study.id}/measurements`).set(auth).expect(200)).body;
      assert.ok(['ci-reached', 'budget'].includes(m.stopReason), m.stopReason);
      assert.equal(typeof m.noisy, 'boolean');
      assert.ok(Number.isInteger(m.retakes) && m.retakes >= 0 && m.retakes <= 3);
      if (m.noisy) assert.ok(m.foreignCpuShare > 0.1);
      const gql = await api.http
        .post('/graphql')
        .set(auth)
        .send({ query: `{ study(id: "${study.id}") { measurements { noisy foreignCpuShare retakes stopReason } } }` });
      assert.deepEqual(gql.body.data.study.measurements[0], {
        noisy: m.noisy,
        foreignCpuShare: m.foreignCpuShare,
        retakes: m.retakes,
        stopReason: m.stopReason,
      });
    } finally {
      await worker.close();
    }
  });
});
