import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Queue } from 'bullmq';
import { fixtures, isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
const ALL_QUEUES = ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'];
const QUICK = { operators: ['identity'], scenarios: ['mobile', 'edge'], effort: { warmup: 2, runs: 10 } };

describe('study lifecycle', () => {
  let api: Api;
  let worker: INestApplicationContext;
  let auth: { Authorization: string };
  let ids: { modelId: string; datasetId: string };
  let receiver: Server;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let hookUrl: string;

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    api = await startApi();
    worker = await startWorker({ queues: ALL_QUEUES });
    ({ auth } = await api.newTeam());
    ids = await uploadImageFamily(api, auth, []);
  });
  after(async () => {
    await worker.close();
    await api.close();
    receiver.close();
  });

  test('invalid requests get a 400 naming the field; unknown ids a 404', async () => {
    const bad = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, scenarios: ['moon|'] })
      .expect(400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    assert.match(bad.body.error.message, /scenarios/);
    // Tiers are data: a well-formed name no configured tier carries is the planner's refusal, naming it.
    const unknownTier = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, scenarios: ['moon'] })
      .expect(400);
    assert.equal(unknownTier.body.error.code, 'STUDY_INVALID');
    assert.match(unknownTier.body.error.message, /scenarios.*moon/);
    const negative = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, constraints: { maxAccuracyDrop: -1 } })
      .expect(400);
    assert.match(negative.body.error.message, /maxAccuracyDrop/);
    const noDataset = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId: ids.modelId, operators: ['identity', 'sptq'] })
      .expect(400);
    assert.equal(noDataset.body.error.code, 'STUDY_INVALID');
    assert.match(noDataset.body.error.message, /operators: sptq needs a dataset/);
    const noVariant = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['distilled'] })
      .expect(400);
    assert.match(noVariant.body.error.message, /no uploaded distilled variant/);
    const missing = await api.http.post('/v1/studies').set(auth).send({ modelId: '00000000-0000-4000-8000-000000000000' }).expect(404);
    assert.equal(missing.body.error.code, 'MODEL_NOT_FOUND');
  });

  test('a study webhook to a loopback address is refused unless the deployment allows it', async () => {
    process.env.ALLOW_PRIVATE_WEBHOOKS = 'false';
    const strict = await startApi();
    try {
      const { auth: team } = await strict.newTeam();
      const model = await strict.http
        .post('/v1/models')
        .set(team)
        .field('name', 'm')
        .attach('file', fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx'))
        .expect(201);
      const refused = await strict.http
        .post('/v1/studies')
        .set(team)
        .send({ modelId: model.body.id, ...QUICK, webhookUrl: 'http://127.0.0.1:9/hook' })
        .expect(400);
      assert.equal(refused.body.error.code, 'WEBHOOK_URL_FORBIDDEN');
      const list = await strict.http.get('/v1/studies').set(team).expect(200);
      assert.deepEqual(list.body.items, []);
    } finally {
      process.env.ALLOW_PRIVATE_WEBHOOKS = 'true';
      await strict.close();
    }
  });

  test('a retried submission with the same Idempotency-Key returns the same study', async () => {
    const body = { ...ids, ...QUICK };
    const first = await api.http.post('/v1/studies').set(auth).set('Idempotency-Key', 'retry-me-1').send(body).expect(202);
    const second = await api.http.post('/v1/studies').set(auth).set('Idempotency-Key', 'retry-me-1').send(body).expect(202);
    assert.equal(second.body.id, first.body.id);
    const other = await api.http.post('/v1/studies').set(auth).set('Idempotency-Key', 'retry-me-2').send(body).expect(202);
    assert.notEqual(other.body.id, first.body.id);
    await waitForStudy(api, auth, first.body.id);
    await waitForStudy(api, auth, other.body.id);
  });

  test('a tight latency budget leaves no feasible candidate, with the reason for each; the webhook is signed', async () => {
    const hook = await api.http
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: hookUrl, events: ['study.completed'] })
      .expect(201);
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, ...QUICK, constraints: { latencyBudgetMs: 0.001 } })
      .expect(202);
    const study = await waitForStudy(api, auth, created.body.id);
    assert.equal(study.status, 'completed');
    assert.equal(study.recommendation, null);
    const recs = (await api.http.get(`/v1/studies/${study.id}/recommendations`).set(auth).expect(200)).body as Array<Record<string, any>>;
    assert.ok(recs.length >= 2);
    for (const r of recs) {
      assert.equal(r.feasible, false);
      const v = r.violations.find((x: { constraint: string }) => x.constraint === 'latencyBudgetMs');
      assert.ok(v && v.by > 0, JSON.stringify(r.violations));
    }
    const deadline = Date.now() + 15_000;
    while (!received.some((r) => r.body.includes(study.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const delivery = received.find((r) => r.body.includes(study.id));
    assert.ok(delivery, 'the study.completed webhook arrived');
    const payload = JSON.parse(delivery!.body);
    assert.equal(payload.type, 'study.completed');
    assert.equal(payload.data.studyId, study.id);
    const key = Buffer.from(String(hook.body.secret).replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${delivery!.headers['webhook-id']}.${delivery!.headers['webhook-timestamp']}.${delivery!.body}`)
      .digest('base64');
    assert.ok(String(delivery!.headers['webhook-signature']).split(' ').includes(`v1,${expected}`));
  });

  test('progress streams over SSE until the study ends, and GraphQL serves the result', async () => {
    const created = await api.http
      .post('/graphql')
      .set(auth)
      .send({
        query: `mutation($input: CreateStudyInput!) { createStudy(input: $input) { id status } }`,
        variables: { input: { ...ids, ...QUICK } },
      })
      .expect(200);
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    const id = created.body.data.createStudy.id;
    const sse = await api.http
      .get(`/v1/studies/${id}/events`)
      .set(auth)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done(null, text));
      });
    const events = String(sse.body)
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    assert.ok(events.length >= 2, `events: ${events.length}`);
    assert.equal(events.at(-1).status, 'completed');
    assert.ok(events.some((e) => e.status === 'benchmarking'));
    const progress = events.map((e) => e.progress);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress never goes back',
    );
    const gql = await api.http
      .post('/graphql')
      .set(auth)
      .send({
        query: `query($id: ID!) { study(id: $id) { status recommendation { scenario explanation } recommendations { rank scenario feasible } measurements { tier p50Ms } } }`,
        variables: { id },
      })
      .expect(200);
    assert.equal(gql.body.errors, undefined, JSON.stringify(gql.body.errors));
    assert.equal(gql.body.data.study.status, 'completed');
    assert.equal(gql.body.data.study.measurements.length, 2);
    assert.ok(gql.body.data.study.recommendations.some((r: { rank: number }) => r.rank === 1));
  });

  test('a GraphQL subscription follows the study over graphql-ws, authenticated by its connection parameters', async () => {
    await api.app.listen(0, '127.0.0.1');
    const port = (api.app.getHttpServer().address() as AddressInfo).port;
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, ...QUICK })
      .expect(202);
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: auth.Authorization },
      lazy: true,
    });
    try {
      const statuses: string[] = [];
      await new Promise<void>((resolve, reject) => {
        client.subscribe<{ studyProgress: { status: string; progress: number } }>(
          {
            query: `subscription($id: ID!) { studyProgress(id: $id) { status progress jobsDone jobsTotal } }`,
            variables: { id: created.body.id },
          },
          {
            next: (msg) => (msg.errors ? reject(new Error(JSON.stringify(msg.errors))) : statuses.push(msg.data!.studyProgress.status)),
            error: reject,
            complete: resolve,
          },
        );
      });
      assert.equal(statuses.at(-1), 'completed');
      assert.ok(statuses.length >= 2, statuses.join());
      const denied = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer nope' },
        lazy: true,
      });
      const error = await new Promise<unknown>((resolve) => {
        denied.subscribe(
          { query: `subscription { studyProgress(id: "${created.body.id}") { status } }` },
          { next: (msg) => resolve(msg.errors), error: resolve, complete: () => resolve(null) },
        );
      });
      assert.match(JSON.stringify(error), /UNAUTHENTICATED/);
      await denied.dispose();
    } finally {
      await client.dispose();
    }
  });

  test('cancel stops a measurement that is running', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 2, timeBudgetMs: 60_000 } })
      .expect(202);
    const queue = new Queue('bench-mobile', { connection: { url: process.env.REDIS_URL }, prefix: process.env.QUEUE_PREFIX });
    try {
      const deadline = Date.now() + 60_000;
      while ((await queue.getActiveCount()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await queue.getActiveCount(), 1, 'the measurement started');
      await new Promise((r) => setTimeout(r, 1000));
      const cancelledAt = Date.now();
      await api.http.delete(`/v1/studies/${created.body.id}`).set(auth).expect(200);
      while ((await queue.getActiveCount()) > 0 && Date.now() - cancelledAt < 20_000) await new Promise((r) => setTimeout(r, 100));
      const stoppedAfterMs = Date.now() - cancelledAt;
      assert.ok(stoppedAfterMs < 10_000, `the 60 s measurement stopped ${stoppedAfterMs} ms after cancel`);
      const measurements = await api.http.get(`/v1/studies/${created.body.id}/measurements`).set(auth).expect(200);
      assert.deepEqual(measurements.body, []);
      assert.equal((await api.http.get(`/v1/studies/${created.body.id}`).set(auth).expect(200)).body.status, 'cancelled');
    } finally {
      await queue.close();
    }
  });

  test('cancel stops a study and keeps what it has; another team sees nothing', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, scenarios: ['mobile', 'edge', 'cloud'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const cancelled = await api.http.delete(`/v1/studies/${created.body.id}`).set(auth).expect(200);
    assert.equal(cancelled.body.status, 'cancelled');
    await new Promise((r) => setTimeout(r, 3000));
    const later = await api.http.get(`/v1/studies/${created.body.id}`).set(auth).expect(200);
    assert.equal(later.body.status, 'cancelled');
    await api.http.get(`/v1/studies/${created.body.id}/measurements`).set(auth).expect(200);
    const again = await api.http.delete(`/v1/studies/${created.body.id}`).set(auth).expect(409);
    assert.equal(again.body.error.code, 'STUDY_FINISHED');
    const report = await api.http.get(`/v1/studies/${created.body.id}/report`).set(auth).expect(409);
    assert.equal(report.body.error.code, 'STUDY_NOT_READY');

    const { auth: stranger } = await api.newTeam();
    for (const path of ['', '/measurements', '/recommendations', '/report', '/events']) {
      const res = await api.http.get(`/v1/studies/${created.body.id}${path}`).set(stranger);
      assert.equal(res.status, 404, path);
    }
    await api.http.delete(`/v1/studies/${created.body.id}`).set(stranger).expect(404);
    const list = await api.http.get('/v1/studies').set(stranger).expect(200);
    assert.deepEqual(list.body.items, []);
  });
});
