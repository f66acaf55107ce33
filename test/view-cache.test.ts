import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ViewCache } from '../src/common/cache/view-cache';
import { loadConfig } from '../src/config/env';
import { QueuesService } from '../src/jobs/queues.service';

/** Two processes' caches on one real Redis: what one writes, the other stops serving. */
describe('ViewCache: study and model views in memory, dropped on every replica by a write', () => {
  const config = loadConfig({ ...process.env, QUEUE_PREFIX: `tw-views-${randomUUID().slice(0, 8)}`, VIEW_CACHE_MS: '60000' });
  const queuesA = new QueuesService(config);
  const queuesB = new QueuesService(config);
  const a = new ViewCache(config, queuesA);
  const b = new ViewCache(config, queuesB);
  after(async () => {
    a.onModuleDestroy();
    b.onModuleDestroy();
    await Promise.all([queuesA.onModuleDestroy(), queuesB.onModuleDestroy()]);
  });

  async function live(cache: ViewCache): Promise<void> {
    for (let i = 0; i < 100 && !cache.listening; i++) {
      await cache.read('studies', 'warm-up', async () => null);
      await sleep(20);
    }
    assert.ok(cache.listening, 'the views-changed subscription came up');
  }

  /** A loader that counts its calls and returns a fresh object each time. */
  function counter(value: () => object | null = () => ({ n: 1, nested: { list: [1, 2] } })) {
    const loader = async () => {
      loader.calls++;
      return value();
    };
    loader.calls = 0;
    return loader;
  }

  test('before the subscription is live nothing is kept; once it is, a second read is served from memory', async () => {
    const cold = new ViewCache(config, queuesA);
    const load = counter();
    await cold.read('studies', 'k', load);
    await cold.read('studies', 'k', load);
    assert.equal(load.calls, 2, 'no cache while not listening');
    await live(cold);
    await cold.read('studies', 'k', load);
    await cold.read('studies', 'k', load);
    assert.equal(load.calls, 3);
    cold.onModuleDestroy();
    assert.equal(cold.listening, false);
  });

  test('concurrent misses share one load; not-found answers are not kept', async () => {
    await live(a);
    const load = counter();
    const [x, y] = await Promise.all([a.read('models', 'shared', load), a.read('models', 'shared', load)]);
    assert.equal(load.calls, 1);
    assert.equal(x, y);
    const missing = counter(() => null);
    assert.equal(await a.read('models', 'missing', missing), null);
    assert.equal(await a.read('models', 'missing', missing), null);
    assert.equal(missing.calls, 2);
  });

  test('a kept view is frozen, deep: a caller cannot change what others are served', async () => {
    await live(a);
    const view = (await a.read('studies', 'frozen', counter())) as { n: number; nested: { list: number[] } };
    assert.throws(() => {
      view.n = 2;
    }, TypeError);
    assert.throws(() => view.nested.list.push(3), TypeError);
  });

  test('a change on one process drops the kind on itself at once and on the other within pub/sub delay', async () => {
    await Promise.all([live(a), live(b)]);
    let status = 'running';
    const loadA = counter(() => ({ status }));
    const loadB = counter(() => ({ status }));
    const modelsB = counter();
    assert.deepEqual(await a.read('studies', 's1', loadA), { status: 'running' });
    assert.deepEqual(await b.read('studies', 's1', loadB), { status: 'running' });
    await b.read('models', 'm1', modelsB);
    status = 'completed';
    await a.changed('studies');
    // Read-your-writes on the writer, with no wait.
    assert.deepEqual(await a.read('studies', 's1', loadA), { status: 'completed' });
    let seen = (await b.read('studies', 's1', loadB)) as { status: string };
    for (let i = 0; i < 100 && seen.status !== 'completed'; i++) {
      await sleep(10);
      seen = (await b.read('studies', 's1', loadB)) as { status: string };
    }
    assert.equal(seen.status, 'completed', 'the other replica heard the change');
    // Another kind is untouched.
    await b.read('models', 'm1', modelsB);
    assert.equal(modelsB.calls, 1);
  });

  test('a load in flight when a change lands is not kept', async () => {
    await live(a);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let version = 1;
    const load = async () => {
      const mine = version;
      await gate;
      return { version: mine };
    };
    const inFlight = a.read('studies', 'race', load);
    version = 2;
    await a.changed('studies');
    release();
    assert.deepEqual(await inFlight, { version: 1 });
    assert.deepEqual(await a.read('studies', 'race', async () => ({ version })), { version: 2 });
  });

  test('VIEW_CACHE_MS=0 keeps nothing', async () => {
    const off = new ViewCache(loadConfig({ ...process.env, VIEW_CACHE_MS: '0' }), queuesA);
    const load = counter();
    await off.read('studies', 'k', load);
    await off.read('studies', 'k', load);
    assert.equal(load.calls, 2);
    assert.equal(off.listening, false, 'no subscriber is opened');
  });
});
