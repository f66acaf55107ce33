import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { clusterPrefix } from '../src/config/env';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster';
import { assertFollowedToTheEnd, followGraphql, followSse, spawnReplica, type Replica } from './support/replicas';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();

/**
 * The deployment on a real Redis Cluster (three masters, the slots split between them), with two api replicas and a
 * worker: BullMQ's scripts refuse keys of one queue that fall in different slots (CROSSSLOT), so a study only
 * completes if every queue key carries the hash-tagged prefix; events, rate limits, upload slots and the worker
 * registry run on the cluster too.
 */
describe('on a Redis Cluster: two api replicas and a worker', { timeout: 300_000 }, () => {
  let cluster: RedisCluster;
  let replicaA: Api;
  let replicaB: Replica;
  let worker: INestApplicationContext;
  // the configured prefix, hash-tagged as loadConfig makes it on a cluster
  const prefix = () => clusterPrefix(process.env.QUEUE_PREFIX as string, true);

  before(async () => {
    cluster = await startRedisCluster(3);
    process.env.REDIS_URL = cluster.url;
    process.env.REDIS_CLUSTER = 'true';
    replicaA = await startApi();
    worker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile'] });
    replicaB = await spawnReplica();
  });
  after(async () => {
    await replicaB?.stop();
    await worker?.close();
    await replicaA?.close();
    await cluster?.stop();
  });

  test('the cluster has three masters sharing the slots, and the live worker is listed from it', async () => {
    const nodes = cluster.cli(cluster.ports[0], 'cluster', 'nodes');
    assert.equal(nodes.split('\n').filter((l) => l.includes('master')).length, 3, nodes);
    const { auth } = await replicaA.newTeam();
    const tiers = (await replicaA.http.get('/v1/tiers').set(auth).expect(200)).body as Array<{ name: string; workers: unknown[] }>;
    assert.equal(tiers.find((t) => t.name === 'mobile')?.workers.length, 1, JSON.stringify(tiers));
  });

  test('a study created on replica A completes and is followed from replica B over SSE and GraphQL', async () => {
    const { key, auth } = await replicaA.newTeam();
    const ids = await uploadImageFamily(replicaA, auth, []);
    const created = await replicaA.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity', 'dynamic-int8'], scenarios: ['mobile'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const [sse, graphql] = await Promise.all([
      followSse(`${replicaB.url}/v1/studies/${created.body.id}/events`, key, 240_000),
      followGraphql(replicaB.url, key, created.body.id, 240_000),
    ]);
    assertFollowedToTheEnd(sse);
    assertFollowedToTheEnd(graphql);
    const study = await waitForStudy(replicaA, auth, created.body.id, 10_000);
    assert.equal(study.status, 'completed');
    assert.ok(study.recommendation, 'a recommendation');

    // The queue keys are on the cluster, all in the hash tag's one slot, so on exactly one of the three nodes.
    assert.match(prefix(), /^\{.+\}$/);
    const holding = cluster.ports.filter((port) => cluster.cli(port, '--scan', '--pattern', `${prefix()}:*`).trim().length > 0);
    assert.equal(holding.length, 1, `keys of ${prefix()} on nodes ${holding.join(', ')}`);
    const slot = Number(cluster.cli(holding[0], 'cluster', 'keyslot', prefix()).trim());
    assert.ok(Number(cluster.cli(holding[0], 'cluster', 'countkeysinslot', String(slot)).trim()) > 0);
  });
});
