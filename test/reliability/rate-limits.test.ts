import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { fixtures, isolateEnvironment, startApi, type Api } from '../support/harness';
import { listen, multipartHead, rawRequest } from './support';

isolateEnvironment();
process.env.RATE_LIMIT_REQUESTS = '15';
process.env.RATE_LIMIT_WINDOW_S = '5';
process.env.TEAM_MAX_OPEN_STUDIES = '3';
process.env.TEAM_MAX_UPLOADS = '2';

describe('reliability: rate limits per key and per-team quotas (finding 4)', () => {
  let api: Api;

  before(async () => {
    api = await startApi();
  });
  after(() => api.close());

  test('over RATE_LIMIT_REQUESTS in the window: 429 RATE_LIMITED with Retry-After; other keys unaffected; /health never limited', async () => {
    const { auth } = await api.newTeam();
    const { auth: other } = await api.newTeam();
    const statuses: number[] = [];
    let limited: { headers: Record<string, string>; body: any } | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await api.http.get('/v1/models').set(auth);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    assert.deepEqual(statuses.slice(0, 15), Array(15).fill(200));
    assert.ok(limited, `statuses: ${statuses.join(',')}`);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${limited.headers['retry-after']}`);
    // GraphQL counts against the same key.
    const gql = await api.http.post('/graphql').set(auth).send({ query: '{ models { nextCursor } }' });
    assert.equal(gql.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED', JSON.stringify(gql.body));
    await api.http.get('/v1/models').set(other).expect(200);
    for (let i = 0; i < 30; i++) await api.http.get('/health').expect(200);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    await api.http.get('/v1/models').set(auth).expect(200);
  });

  test('TEAM_MAX_OPEN_STUDIES: one more study is 429 STUDY_QUOTA_EXCEEDED; a cancelled one frees its place', async () => {
    const { auth } = await api.newTeam();
    const model = await api.http
      .post('/v1/models')
      .set(auth)
      .field('name', 'm')
      .attach('file', fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))
      .expect(201);
    const body = { modelId: model.body.id, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'], effort: { warmup: 1, runs: 5 } };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await api.http.post('/v1/studies').set(auth).send(body).expect(202)).body.id);
    const refused = await api.http.post('/v1/studies').set(auth).send(body).expect(429);
    assert.equal(refused.body.error.code, 'STUDY_QUOTA_EXCEEDED');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const { auth: other } = await api.newTeam();
    const otherModel = await api.http
      .post('/v1/models')
      .set(other)
      .field('name', 'm')
      .attach('file', fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))
      .expect(201);
    await api.http
      .post('/v1/studies')
      .set(other)
      .send({ ...body, modelId: otherModel.body.id })
      .expect(202);
    await api.http.delete(`/v1/studies/${ids[0]}`).set(auth).expect(200);
    await api.http.post('/v1/studies').set(auth).send(body).expect(202);
  });

  test('TEAM_MAX_UPLOADS: a third upload in flight at once is 429 UPLOAD_QUOTA_EXCEEDED; slots come back when uploads end', async () => {
    const { auth, key } = await api.newTeam();
    const port = await listen(api);
    const boundary = 'quota';
    const part = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\nabc`);
    // Two uploads that announce 1 MB and stall: each holds a slot.
    const stalled: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(multipartHead('/v1/models', key, 1024 * 1024, boundary));
      socket.write(part);
      stalled.push(socket);
    }
    await new Promise((r) => setTimeout(r, 500));
    const third = await rawRequest(port, multipartHead('/v1/models', key, part.length, boundary), part);
    assert.equal(third.status, 429, third.text);
    assert.match(third.text, /UPLOAD_QUOTA_EXCEEDED/);
    assert.match(third.text, /Retry-After: \d+/i);
    const { auth: other } = await api.newTeam();
    await api.http
      .post('/v1/models')
      .set(other)
      .field('name', 'm')
      .attach('file', fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))
      .expect(201);
    // Hanging up gives the slots back.
    for (const socket of stalled) socket.destroy();
    await new Promise((r) => setTimeout(r, 500));
    await api.http
      .post('/v1/models')
      .set(auth)
      .field('name', 'm')
      .attach('file', fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))
      .expect(201);
  });
});
