import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitStorage } from '../../src/api/rate-limit';
import { loadConfig } from '../../src/config/env';

/** The leased rate limit on a real Redis, as two api replicas share it: the window's budget is never exceeded. */
describe('reliability: rate-limit hits are leased from Redis in blocks, never past the limit', () => {
  const config = loadConfig(process.env);
  const a = new RateLimitStorage(config);
  const b = new RateLimitStorage(config);
  after(() => {
    a.onModuleDestroy();
    b.onModuleDestroy();
  });

  test('the block is 1 % of the limit, between 1 and 50 (small limits are counted hit by hit)', () => {
    assert.equal(RateLimitStorage.blockOf(15), 1);
    assert.equal(RateLimitStorage.blockOf(600), 6);
    assert.equal(RateLimitStorage.blockOf(100_000_000), 50);
  });

  test('two replicas hammering one key let exactly the limit through, then refuse until the window ends', async () => {
    const key = `tw-lease-${randomUUID()}`;
    const limit = 300;
    const ttl = 1500;
    let allowed = 0;
    let refused: { timeToBlockExpire: number } | undefined;
    const hits = Array.from({ length: 450 }, (_, i) => (i % 2 ? a : b).increment(key, ttl, limit, ttl, 'default'));
    for (const hit of await Promise.all(hits)) {
      if (hit.isBlocked) refused ??= hit;
      else allowed++;
      assert.ok(hit.totalHits <= limit || hit.isBlocked, `totalHits ${hit.totalHits} on an allowed hit`);
    }
    assert.equal(allowed, limit);
    assert.ok(refused && refused.timeToBlockExpire >= 1 && refused.timeToBlockExpire <= 2, JSON.stringify(refused));
    await sleep(ttl + 100);
    const next = await a.increment(key, ttl, limit, ttl, 'default');
    assert.equal(next.isBlocked, false, 'a new window lets hits through again');
    assert.ok(next.totalHits >= 1 && next.totalHits <= RateLimitStorage.blockOf(limit));
  });

  test('hit by hit at a small limit: the 16th of 15 is refused on whichever replica it lands', async () => {
    const key = `tw-lease-${randomUUID()}`;
    const results = [];
    for (let i = 0; i < 16; i++) results.push(await (i % 2 ? a : b).increment(key, 5000, 15, 5000, 'default'));
    assert.deepEqual(
      results.map((r) => r.isBlocked),
      [...Array(15).fill(false), true],
    );
    assert.deepEqual(
      results.slice(0, 15).map((r) => r.totalHits),
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
  });
});
