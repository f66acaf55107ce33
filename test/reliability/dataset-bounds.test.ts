import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { childSlots } from '../../src/isolation/child-slots';
import { isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();
process.env.CHILD_CONCURRENCY = '2';
process.env.DATASET_MAX_BYTES = String(4 * 1024 ** 2);
process.env.TEAM_MAX_UPLOADS = '20';

/** A JSONL text dataset of about `bytes` bytes. */
function jsonl(bytes: number): Buffer {
  const line = `${JSON.stringify({ text: 'a fine film, truly '.repeat(20), label: 1 })}\n`;
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)));
}

describe('reliability: dataset checks run in a bounded child', () => {
  let api: Api;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => api.close());

  test('a dataset over DATASET_MAX_BYTES is a 413 with a code, and the api stays small and healthy', async () => {
    const rssBefore = process.memoryUsage().rss;
    const res = await api.http
      .post('/v1/datasets')
      .set(auth)
      .attach('file', jsonl(24 * 1024 ** 2), 'big.jsonl');
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'UPLOAD_TOO_LARGE');
    assert.match(res.body.error.message, /DATASET_MAX_BYTES/);
    await api.http.get('/health').expect(200);
    const grownMiB = (process.memoryUsage().rss - rssBefore) / 1024 ** 2;
    assert.ok(grownMiB < 150, `the api grew by ${grownMiB.toFixed(0)} MiB`);
  });

  test('a dataset within the limit is checked in a child, one child per upload, never more than CHILD_CONCURRENCY', async () => {
    const before = childSlots.stats();
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        api.http
          .post('/v1/datasets')
          .set(auth)
          .attach('file', Buffer.concat([jsonl(64 * 1024), Buffer.from(`{"text": "n${i}", "label": 0}\n`)]), `d${i}.jsonl`),
      ),
    );
    for (const res of answers) assert.equal(res.status, 201, JSON.stringify(res.body));
    const stats = childSlots.stats();
    assert.equal(stats.started - before.started, 4);
    assert.ok(stats.peak <= 2, `peak ${stats.peak}`);
    const broken = await api.http.post('/v1/datasets').set(auth).attach('file', Buffer.from('{"text": "ok"}\nnot json\n'), 'bad.jsonl');
    assert.equal(broken.status, 422, JSON.stringify(broken.body));
    assert.equal(broken.body.error.code, 'DATASET_INVALID');
  });

  test("a check over the child's memory limit is a 422 DATASET_INVALID naming the limit", async () => {
    // Checking this 3.5 MiB file takes about 27 MiB: under a 24 MiB limit the child is killed, the api is not.
    process.env.DATASET_CHECK_MEMORY_MB = '24';
    const small = await startApi();
    try {
      const { auth: team } = await small.newTeam();
      const res = await small.http
        .post('/v1/datasets')
        .set(team)
        .attach('file', jsonl(3.5 * 1024 ** 2), 'mid.jsonl');
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'DATASET_INVALID');
      assert.match(res.body.error.message, /DATASET_CHECK_MEMORY_MB/);
      await small.http.get('/health').expect(200);
    } finally {
      delete process.env.DATASET_CHECK_MEMORY_MB;
      await small.close();
    }
  });
});
