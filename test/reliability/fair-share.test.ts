import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { isTerminal } from '../../src/studies/study-status';
import { fixtures, isolateEnvironment, startApi, startWorker, type Api } from '../support/harness';

isolateEnvironment();
const QUEUES = ['build', 'evaluate', 'advise', 'webhook', 'bench-edge'];
const STUDY = {
  tiers: ['edge'],
  scenarios: ['edge'],
  operators: ['identity'],
  effort: { warmup: 2, runs: Number(process.env.FAIR_RUNS ?? 200) },
};
const BACKLOG = 20;

type Auth = { Authorization: string };

async function uploadModel(api: Api, auth: Auth): Promise<string> {
  const res = await api.http
    .post('/v1/models')
    .set(auth)
    .field('name', 'fashion-resnet')
    .attach('file', fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))
    .expect(201);
  return res.body.id as string;
}

async function create(api: Api, auth: Auth, modelId: string): Promise<string> {
  return (
    await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, ...STUDY })
      .expect(202)
  ).body.id as string;
}

/** Polls finely (100 ms), so the figure is the study's time and not the poll's. */
async function finish(api: Api, auth: Auth, id: string, timeoutMs = 100_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.http.get(`/v1/studies/${id}`).set(auth).expect(200);
    if (isTerminal(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`study ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function timed(api: Api, auth: Auth, modelId: string): Promise<number> {
  const started = Date.now();
  const study = await finish(api, auth, await create(api, auth, modelId));
  assert.equal(study.status, 'completed', JSON.stringify(study.failures));
  return Date.now() - started;
}

describe('reliability: fair share between teams (finding 8)', () => {
  let api: Api;
  let worker: INestApplicationContext;

  before(async () => {
    api = await startApi();
    worker = await startWorker({ queues: QUEUES });
  });
  after(async () => {
    await worker.close();
    await api.close();
  });

  test(`with ${BACKLOG} of team A's studies queued, team B's one study completes within 2x its time alone`, async () => {
    const a = await api.newTeam();
    const b = await api.newTeam();
    const modelA = await uploadModel(api, a.auth);
    const modelB = await uploadModel(api, b.auth);
    await timed(api, b.auth, modelB); // warm-up: first load, first child
    const alone = Math.min(await timed(api, b.auth, modelB), await timed(api, b.auth, modelB));

    // A shared 2-core host is noisy: B's time is taken behind a fresh backlog up to three times and the best counts
    // (without fair share every attempt is ~20x, so a retry cannot hide a missing fix).
    const attempts: Array<{ shared: number; open: number }> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const backlog = await Promise.all(Array.from({ length: BACKLOG }, () => create(api, a.auth, modelA)));
      const shared = await timed(api, b.auth, modelB);
      const open = [];
      for (const id of backlog) {
        const res = await api.http.get(`/v1/studies/${id}`).set(a.auth).expect(200);
        if (!isTerminal(res.body.status)) open.push(id);
      }
      for (const id of open) await api.http.delete(`/v1/studies/${id}`).set(a.auth);
      attempts.push({ shared, open: open.length });
      console.log(
        `fair share: B alone ${alone} ms, behind A's ${BACKLOG} studies ${shared} ms (${(shared / alone).toFixed(2)}x); A still open ${open.length}`,
      );
      if (shared <= 2 * alone) break;
    }
    const best = attempts.reduce((x, y) => (y.shared < x.shared ? y : x));
    assert.ok(
      best.shared <= 2 * alone,
      `B took ${attempts.map((t) => t.shared).join(', ')} ms behind the backlog against ${alone} ms alone`,
    );
    assert.ok(best.open >= BACKLOG / 2, `A's backlog was still there when B finished (${best.open} open)`);
  });
});
