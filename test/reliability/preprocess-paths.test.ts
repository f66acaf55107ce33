import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tar from 'tar';
import { fixtures, isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();
const work = mkdtempSync(join(tmpdir(), 'tierwise-preprocess-paths-'));

describe('reliability: preprocess file paths stay inside the dataset archive', () => {
  let api: Api;
  let auth: { Authorization: string };
  let archive: string;

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
    const dir = join(work, 'text');
    mkdirSync(dir);
    copyFileSync(fixtures('sentiment-bert/test-100.jsonl'), join(dir, 'test-100.jsonl'));
    copyFileSync(fixtures('sentiment-bert/vocab.txt'), join(dir, 'vocab.txt'));
    writeFileSync(join(work, 'secret.txt'), 'TOP-SECRET-CONTENT\n');
    archive = join(work, 'text.tar.gz');
    tar.create({ gzip: true, file: archive, cwd: work, sync: true, portable: true }, ['text']);
  });
  after(async () => api.close());

  const spec = (vocab: string) => JSON.stringify({ kind: 'text', tokenizer: 'wordpiece', vocab, max_length: 32 });
  const outside = [
    '/etc/passwd',
    '/proc/self/environ',
    '/dev/zero',
    '../../../../../../etc/passwd',
    '../secret.txt',
    '../../secret.txt',
    'text/../../../secret.txt',
    '/nonexistent/file',
    '../no-such-file',
    'C:\\Windows\\win.ini',
    'vocab.txt\u0000.png',
  ];
  for (const vocab of outside) {
    test(`vocab ${JSON.stringify(vocab)} is refused without reading it`, async () => {
      const res = await api.http.post('/v1/datasets').set(auth).field('preprocess', spec(vocab)).attach('file', archive);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'PREPROCESS_INVALID');
      assert.doesNotMatch(res.body.error.message, /root:|TOP-SECRET|PATH=|ENOENT|no such file/i);
    });
  }

  test('existing and missing files outside give the same answer (nothing reveals which exist)', async () => {
    const a = await api.http.post('/v1/datasets').set(auth).field('preprocess', spec('../../../../etc/passwd')).attach('file', archive);
    const b = await api.http
      .post('/v1/datasets')
      .set(auth)
      .field('preprocess', spec('../../../../etc/no-such-passwd'))
      .attach('file', archive);
    assert.equal(a.status, b.status);
    assert.equal(a.body.error.message.replace('no-such-passwd', 'passwd'), b.body.error.message.replace('no-such-passwd', 'passwd'));
  });

  test('a vocabulary inside the archive is used', async () => {
    const res = await api.http.post('/v1/datasets').set(auth).field('preprocess', spec('vocab.txt')).attach('file', archive);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.sampleCount, 100);
    await api.http.get('/health').expect(200);
  });
});
