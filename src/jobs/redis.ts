import IORedis, { Cluster, type Redis, type RedisOptions } from 'ioredis';

/**
 * A connection as BullMQ wants it: blocking commands must not give up (maxRetriesPerRequest null). With
 * `cluster` (REDIS_CLUSTER=true) it is an ioredis Cluster seeded from the one URL (the client discovers the other
 * nodes); it answers the commands Tierwise sends as a single Redis does, and every key Tierwise writes carries the
 * hash-tagged prefix (`{tierwise}`, see loadConfig), so a queue's keys share one slot as BullMQ requires.
 */
export function createRedis(url: string, name: string, options: { cluster?: boolean } & RedisOptions = {}): Redis {
  const { cluster, ...overrides } = options;
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: `tierwise:${name}`,
    lazyConnect: false,
    ...overrides,
  };
  if (!cluster) return new IORedis(url, redisOptions);
  const seed = new URL(url);
  return new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
    redisOptions: { ...redisOptions, username: seed.username || undefined, password: seed.password || undefined },
    enableReadyCheck: true,
  }) as unknown as Redis;
}

/**
 * The master nodes to scan: SCAN walks one node, so a cluster is scanned node by node. A cluster client knows its
 * nodes only once it has read the slot map (status `ready`), so this waits for that first — before it, the list
 * is empty and a scan would find nothing (the api's first /v1/tiers on a cluster listed no live worker).
 */
export async function scanNodes(connection: Redis, timeoutMs = 10_000): Promise<Redis[]> {
  const maybeCluster: unknown = connection;
  if (!(maybeCluster instanceof Cluster)) return [connection];
  if (maybeCluster.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        maybeCluster.off('ready', ready);
        reject(new Error(`the Redis Cluster was not ready within ${timeoutMs} ms (status ${maybeCluster.status})`));
      }, timeoutMs);
      const ready = () => {
        clearTimeout(timer);
        resolve();
      };
      maybeCluster.once('ready', ready);
    });
  }
  return maybeCluster.nodes('master') as Redis[];
}
