import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
// A mobile tier too small to load onnxruntime: every measurement there dies of memory.
process.env.TIERWISE_TIERS = JSON.stringify({ mobile: { memoryMB: 16 } });

describe('a study whose measurements fail on one tier', () => {
  let api: Api;
  let worker: INestApplicationContext;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    worker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'] });
    ({ auth } = await api.newTeam());
  });
  after(async () => {
    await worker.close();
    await api.close();
    delete process.env.TIERWISE_TIERS;
  });

  test('completes on the other tiers and says what failed where; the worker lives on', async () => {
    const ids = await uploadImageFamily(api, auth, []);
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile', 'edge'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const study = await waitForStudy(api, auth, created.body.id, 180_000);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    const mobile = study.failures.filter((f: { tier?: string }) => f.tier === 'mobile');
    assert.equal(mobile.length, 1, JSON.stringify(study.failures));
    assert.equal(mobile[0].code, 'RUNNER_OOM');
    assert.match(mobile[0].message, /memory limit/);
    const recs = (await api.http.get(`/v1/studies/${study.id}/recommendations`).set(auth).expect(200)).body as Array<{
      scenario: string;
      rank: number | null;
    }>;
    assert.deepEqual(
      recs.map((r) => r.scenario),
      ['edge'],
    );
    assert.equal(recs[0].rank, 1);
    const measurements = (await api.http.get(`/v1/studies/${study.id}/measurements`).set(auth).expect(200)).body as Array<{ tier: string }>;
    assert.deepEqual(
      measurements.map((m) => m.tier),
      ['edge'],
    );
  });
});
