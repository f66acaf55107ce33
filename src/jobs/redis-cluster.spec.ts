import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterPrefix, loadConfig } from '../config/env';
import { benchQueue } from './job-catalogue';

/** Redis Cluster's key slot: CRC16 (XMODEM) of the hash tag's content when there is one, mod 16384. */
function calculateSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

test("the slot function is Redis Cluster's (CLUSTER KEYSLOT foo = 12182, {user1000}.following = 3443)", () => {
  assert.equal(calculateSlot('foo'), 12182);
  assert.equal(calculateSlot('{user1000}.following'), calculateSlot('{user1000}.followers'));
  assert.equal(calculateSlot('{user1000}.following'), 3443);
});

test('on a Redis Cluster the prefix is hash-tagged, so every key Tierwise names falls in one slot', () => {
  assert.equal(loadConfig({ REDIS_CLUSTER: 'true' }).QUEUE_PREFIX, '{tierwise}');
  assert.equal(loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'tw' }).QUEUE_PREFIX, '{tw}');
  assert.equal(loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: '{tw}' }).QUEUE_PREFIX, '{tw}');
  assert.equal(loadConfig({}).QUEUE_PREFIX, 'tierwise', 'a single Redis keeps the prefix it had (studies record it)');
  assert.equal(clusterPrefix('a{b}c', true), 'a{b}c');
  const prefix = clusterPrefix('tierwise', true);
  // BullMQ's own key shapes (`<prefix>:<queue>:<suffix>`) and Tierwise's registry, rate-limit and upload keys.
  const keys = [
    `${prefix}:${benchQueue('mobile')}:wait`,
    `${prefix}:${benchQueue('mobile')}:42:lock`,
    `${prefix}:build:meta`,
    `${prefix}:advise:waiting-children`,
    `${prefix}:workers:host:1:abc`,
    `${prefix}:rate:default:key`,
    `${prefix}:uploads:team`,
  ];
  const slots = new Set(keys.map((k) => calculateSlot(k)));
  assert.equal(slots.size, 1, `keys span slots ${[...slots].join(', ')}`);
  const plain = new Set(keys.map((k) => calculateSlot(k.replace(prefix, 'tierwise'))));
  assert.ok(plain.size > 1, 'without the hash tag the same keys would spread over slots (the check could fail)');
});
