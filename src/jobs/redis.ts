import IORedis, { type Redis } from 'ioredis';

/** A connection as BullMQ wants it: blocking commands must not give up (maxRetriesPerRequest null). */
export function createRedis(url: string, name: string): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: `tierwise:${name}`, lazyConnect: false });
}
