import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';

isolateEnvironment();

describe('operations: health, metrics, OpenAPI, tiers', () => {
  let api: Api;
  let worker: INestApplicationContext;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    worker = await startWorker({ queues: ['bench-edge'], tier: 'edge', device: 'test rig' });
    ({ auth } = await api.newTeam());
  });
  after(async () => {
    await worker.close();
    await api.close();
  });

  test('/health reports Postgres and Redis without a key', async () => {
    const res = await api.http.get('/health').expect(200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.postgres.ok, true);
    assert.equal(res.body.redis.ok, true);
  });

  test('/metrics exposes request durations and queue depths in Prometheus format', async () => {
    await api.http.get('/v1/models').set(auth).expect(200);
    const res = await api.http.get('/metrics').expect(200);
    assert.match(res.headers['content-type'], /text\/plain/);
    assert.match(res.text, /tierwise_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/models"/);
    assert.match(res.text, /tierwise_queue_jobs\{queue="bench-edge",state="waiting"\} \d+/);
  });

  test('OpenAPI describes the REST surface', async () => {
    const res = await api.http.get('/docs/openapi.json').expect(200);
    for (const path of [
      '/v1/models',
      '/v1/models/{id}/variants',
      '/v1/datasets',
      '/v1/studies',
      '/v1/studies/{id}/report',
      '/v1/tiers',
      '/v1/webhooks',
    ]) {
      assert.ok(res.body.paths[path], `${path} documented`);
    }
    assert.ok(res.body.components.securitySchemes.bearer);
  });

  test('GET /v1/tiers lists each profile with its slowdown and the live workers of its pool', async () => {
    await api.http.get('/v1/tiers').expect(401);
    const res = await api.http.get('/v1/tiers').set(auth).expect(200);
    const byName = Object.fromEntries(res.body.map((t: { name: string }) => [t.name, t]));
    assert.deepEqual(Object.keys(byName).sort(), ['cloud', 'edge', 'mobile']);
    for (const tier of res.body) assert.equal(tier.slowdown, tier.threads / (tier.cpus * tier.coreSpeed));
    assert.ok(byName.mobile.cpus < byName.edge.cpus && byName.edge.cpus < byName.cloud.cpus, 'the 1:2:4 ratio');
    assert.equal(byName.edge.cpus / byName.mobile.cpus, 2);
    const edgeWorker = byName.edge.workers.find((w: { device: string | null }) => w.device === 'test rig');
    assert.ok(edgeWorker, JSON.stringify(byName.edge.workers));
    assert.deepEqual(edgeWorker.queues, ['bench-edge']);
    assert.equal(edgeWorker.pid, process.pid);
    assert.ok(byName.mobile.warnings.some((w: string) => /no live worker/.test(w)));
  });
});
