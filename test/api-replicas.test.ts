import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { assertFollowedToTheEnd, followGraphql, followSse, spawnReplica, type Replica } from './support/replicas';
import { uploadImageFamily } from './support/studies';

isolateEnvironment();

describe('two api replicas on one database and Redis', () => {
  let replicaA: Api;
  let replicaB: Replica;
  let worker: INestApplicationContext;

  before(async () => {
    replicaA = await startApi();
    worker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile'] });
    // Replica B: another process, the same DATABASE_URL, REDIS_URL, QUEUE_PREFIX and BLOB_DIR (isolateEnvironment set them).
    replicaB = await spawnReplica();
  });
  after(async () => {
    await replicaB?.stop();
    await worker?.close();
    await replicaA?.close();
  });

  test('a study created on replica A is followed to the end from replica B, over SSE and a GraphQL subscription', async () => {
    const { key, auth } = await replicaA.newTeam();
    const ids = await uploadImageFamily(replicaA, auth, []);
    const created = await replicaA.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const [sse, graphql] = await Promise.all([
      followSse(`${replicaB.url}/v1/studies/${created.body.id}/events`, key, 240_000),
      followGraphql(replicaB.url, key, created.body.id, 240_000),
    ]);
    assertFollowedToTheEnd(sse);
    assertFollowedToTheEnd(graphql);
    const viaB = await fetch(`${replicaB.url}/v1/studies/${created.body.id}`, { headers: auth });
    assert.equal(((await viaB.json()) as { status: string }).status, 'completed');
  });
});
