import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TeamsService } from '../src/auth/teams.service';
import { BlobCache } from '../src/blobs/blob-cache';
import { isTierwiseError } from '../src/common/errors';
import { RemoteWorkerHost } from '../src/remote-workers/client/remote-worker-host';
import { RemoteWorkerModule } from '../src/remote-workers/client/remote-worker.module';
import { WorkerApiClient } from '../src/remote-workers/client/worker-api-client';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
// A short lock, so the measurement below outlasts it several times: only the worker's extensions keep the job.
process.env.WORKER_LOCK_MS = '2000';
const JOB_QUEUES = ['build', 'evaluate', 'advise', 'webhook'];

describe('a worker on another machine (worker token, blobs over HTTP, jobs through the api)', () => {
  let api: Api;
  let url: string;
  let jobsWorker: INestApplicationContext;
  let remote: INestApplicationContext | undefined;
  let auth: { Authorization: string };
  let workerToken: string;
  let ids: { modelId: string; datasetId: string };

  before(async () => {
    api = await startApi();
    await api.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    // Build, evaluate and advise run on the database as before; no local worker consumes bench-mobile.
    jobsWorker = await startWorker({ queues: JOB_QUEUES });
    ({ auth } = await api.newTeam());
    workerToken = (await api.app.get(TeamsService).issueKey('default', 'pi-5', undefined, { kind: 'worker', tiers: ['mobile'] })).key;
    ids = await uploadImageFamily(api, auth, []);
  });
  after(async () => {
    await remote?.close();
    await jobsWorker.close();
    await api.close();
  });

  test('a worker token reaches only /v1/worker, a team key never does, and only the deployment team makes worker tokens', async () => {
    const worker = { Authorization: `Bearer ${workerToken}` };
    const studies = await api.http.get('/v1/studies').set(worker).expect(403);
    assert.equal(studies.body.error.code, 'WORKER_TOKEN_FORBIDDEN');
    const keys = await api.http.post('/v1/keys').set(worker).send({}).expect(403);
    assert.equal(keys.body.error.code, 'WORKER_TOKEN_FORBIDDEN');
    const graphql = await api.http.post('/graphql').set(worker).send({ query: '{ studies { items { id } } }' });
    assert.match(JSON.stringify(graphql.body), /WORKER_TOKEN_FORBIDDEN/);
    const asTeam = await api.http.post('/v1/worker/jobs/next').set(auth).send({ tier: 'mobile', waitMs: 0 }).expect(403);
    assert.equal(asTeam.body.error.code, 'WORKER_TOKEN_REQUIRED');
    const otherTier = await api.http.post('/v1/worker/jobs/next').set(worker).send({ tier: 'edge', waitMs: 0 }).expect(403);
    assert.equal(otherTier.body.error.code, 'TIER_NOT_ALLOWED');
    const noLease = await api.http.post('/v1/worker/jobs/extend').set(worker).expect(400);
    assert.equal(noLease.body.error.code, 'JOB_LEASE_INVALID');
    const refused = await api.http.post('/v1/keys').set(auth).send({ kind: 'worker' }).expect(403);
    assert.equal(refused.body.error.code, 'WORKER_KEY_FORBIDDEN');
    const { key: deploymentKey } = await api.app.get(TeamsService).issueKey('default', 'ops');
    const made = await api.http
      .post('/v1/keys')
      .set({ Authorization: `Bearer ${deploymentKey}` })
      .send({ kind: 'worker', tiers: ['edge'] })
      .expect(201);
    assert.equal(made.body.kind, 'worker');
    assert.deepEqual(made.body.tiers, ['edge']);
  });

  test("a remote worker with its own empty blob cache takes the tier's jobs through the api and the study completes", async () => {
    const worker = { Authorization: `Bearer ${workerToken}` };
    const study = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 2, runs: 4000 } })
      .expect(202);

    // Take the bench job by hand first: its model downloads over HTTP, is cut off half-way and resumes with a Range request.
    let leased: { lease: string; job: { data: { variantId: string } } } | undefined;
    const deadline = Date.now() + 240_000;
    while (!leased && Date.now() < deadline) {
      const res = await api.http.post('/v1/worker/jobs/next').set(worker).send({ tier: 'mobile', waitMs: 5000 });
      assert.ok(res.status === 200 || res.status === 204, `next answered ${res.status}`);
      if (res.status === 200) leased = res.body as typeof leased;
    }
    assert.ok(leased, 'no bench job reached the worker');
    const lease = leased.lease;
    const target = await api.http.get('/v1/worker/jobs/target').set(worker).set('X-Job-Lease', lease).expect(200);
    const modelSha: string = target.body.target.variant.blobSha;
    assert.ok(target.body.target.blobs.includes(modelSha));
    const notInJob = await api.http
      .get(`/v1/worker/blobs/${'0'.repeat(64)}`)
      .set(worker)
      .set('X-Job-Lease', lease)
      .expect(403);
    assert.equal(notInJob.body.error.code, 'BLOB_NOT_IN_JOB');

    const cache = new BlobCache(mkdtempSync(join(tmpdir(), 'tierwise-cache-')));
    const client = new WorkerApiClient({ api: url, token: workerToken }, cache);
    const halfway = new AbortController();
    let seen = 0;
    await assert.rejects(
      cache.fetch({
        url: `${url}/v1/worker/blobs/${modelSha}`,
        headers: { Authorization: `Bearer ${workerToken}`, 'X-Job-Lease': lease },
        sha256: modelSha,
        signal: halfway.signal,
        onProgress: (bytes) => {
          seen = bytes;
          if (bytes > 1_000_000 && bytes < 2_786_749) halfway.abort();
        },
      }),
    );
    assert.ok(seen > 0 && seen < 2_786_749, `cut off at ${seen} bytes`);
    assert.equal(await cache.has(modelSha), false, 'an unfinished download is never in the cache');
    const resumed = await client.fetchBlob(lease, modelSha);
    assert.equal(resumed.source, 'resumed');
    assert.ok(resumed.resumedFrom > 0);
    assert.equal(resumed.sizeBytes, 2_786_749);
    assert.equal((await client.fetchBlob(lease, modelSha)).source, 'cache');

    // Give the job back as a transient failure: BullMQ retries it, and the remote worker takes the retry.
    const failed = await api.http
      .post('/v1/worker/jobs/fail')
      .set(worker)
      .set('X-Job-Lease', lease)
      .send({ code: 'WORKER_API_UNREACHABLE', message: 'test hand-back', retryable: true })
      .expect(200);
    assert.equal(failed.body.final, false);
    const lost = await api.http.post('/v1/worker/jobs/complete').set(worker).set('X-Job-Lease', lease).expect(409);
    assert.equal(lost.body.error.code, 'JOB_LEASE_LOST');

    const blobDir = mkdtempSync(join(tmpdir(), 'tierwise-remote-blobs-'));
    remote = await NestFactory.createApplicationContext(RemoteWorkerModule.create({ api: url, token: workerToken, blobDir }), {
      logger: false,
    });
    await remote.get(RemoteWorkerHost).start({ tier: 'mobile', envelopeMethod: 'scaled', pollMs: 2000 });

    const done = await waitForStudy(api, auth, study.body.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.failures));
    const measurements = await api.http.get(`/v1/studies/${study.body.id}/measurements`).set(auth).expect(200);
    const mobile = (
      measurements.body as Array<{ tier: string; variantId: string; p50Ms: number; method: string; envelope: { wallMs: number } }>
    ).filter((m) => m.tier === 'mobile');
    assert.equal(mobile.length, 1);
    assert.equal(mobile[0].variantId, leased.job.data.variantId);
    assert.ok(mobile[0].p50Ms > 0);
    assert.ok(mobile[0].envelope.wallMs > 2000, `the runner ran ${mobile[0].envelope.wallMs} ms, not past the lock`);
    // 4000 runs take longer than the 2 s lock: the job was kept by the worker's extensions, never lost to the stalled check.
    assert.deepEqual(remote.get(RemoteWorkerHost).done, { completed: 1, failed: 0, lost: 0 });
    // The worker's own cache holds what it fetched, by sha.
    assert.ok(readdirSync(join(blobDir, modelSha.slice(0, 2))).includes(modelSha));
    const tiers = await api.http.get('/v1/tiers').set(auth).expect(200);
    assert.match(JSON.stringify(tiers.body), /remote:/);
  });

  test('a domain error from the api keeps its code on the worker', async () => {
    const client = new WorkerApiClient({ api: url, token: workerToken }, new BlobCache(mkdtempSync(join(tmpdir(), 'tierwise-c-'))));
    await assert.rejects(client.call('POST', 'jobs/next', { body: { tier: 'cloud', waitMs: 0 } }), (error) => {
      assert.ok(isTierwiseError(error));
      assert.equal(error.code, 'TIER_NOT_ALLOWED');
      return true;
    });
  });
});
