import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, copyFileSync, writeFileSync, readFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tar from 'tar';
import { fixtures, isolateEnvironment, startApi, type Api } from './support/harness';

isolateEnvironment();
const work = mkdtempSync(join(tmpdir(), 'tierwise-datasets-test-'));

async function tarball(name: string, cwd: string, entries: string[]): Promise<string> {
  const file = join(work, name);
  tar.c({ sync: true, gzip: true, cwd, file, portable: true }, entries);
  return file;
}

describe('datasets', () => {
  let api: Api;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => api.close());

  test('an ImageFolder archive is accepted with its classes and labels', async () => {
    const archive = await tarball('eval-100.tar.gz', fixtures('fashion-resnet'), ['eval-100']);
    const res = await api.http
      .post('/v1/datasets')
      .set(auth)
      .field('name', 'fashion eval-100')
      .field('preprocess', readFileSync(fixtures('fashion-resnet/preprocess.json'), 'utf8'))
      .attach('file', archive)
      .expect(201);
    assert.equal(res.body.kind, 'images');
    assert.equal(res.body.sampleCount, 100);
    assert.equal(res.body.labelled, true);
    assert.equal(res.body.classes.length, 10);
    assert.equal(res.body.classes[0], 'T-shirt_top');
    assert.equal(res.body.format, '.tar.gz');
    const listed = await api.http.get('/v1/datasets').set(auth).expect(200);
    assert.ok(listed.body.items.some((d: { id: string }) => d.id === res.body.id));
    const gql = await api.http
      .post('/graphql')
      .set(auth)
      .send({ query: `{ dataset(id: "${res.body.id}") { kind sampleCount labelled } }` })
      .expect(200);
    assert.deepEqual(gql.body.data.dataset, { kind: 'images', sampleCount: 100, labelled: true });
  });

  test('a text archive carries its vocabulary; a bare JSONL and a tensors JSON are accepted', async () => {
    const dir = join(work, 'text');
    mkdirSync(dir);
    copyFileSync(fixtures('sentiment-bert/test-100.jsonl'), join(dir, 'test-100.jsonl'));
    copyFileSync(fixtures('sentiment-bert/vocab.txt'), join(dir, 'vocab.txt'));
    const archive = await tarball('text.tar.gz', work, ['text']);
    const text = await api.http.post('/v1/datasets').set(auth).attach('file', archive).expect(201);
    assert.deepEqual([text.body.kind, text.body.sampleCount, text.body.labelled], ['text', 100, true]);
    const jsonl = await api.http.post('/v1/datasets').set(auth).attach('file', fixtures('sentiment-bert/calib-200.jsonl')).expect(201);
    assert.deepEqual([jsonl.body.kind, jsonl.body.sampleCount], ['text', 200]);
    const tensors = { input_ids: [[2, 5, 3, ...Array(125).fill(0)]], attention_mask: [[1, 1, 1, ...Array(125).fill(0)]], labels: [1] };
    const tensorFile = join(work, 'tensors.json');
    writeFileSync(tensorFile, JSON.stringify(tensors));
    const t = await api.http.post('/v1/datasets').set(auth).attach('file', tensorFile).expect(201);
    assert.deepEqual([t.body.kind, t.body.sampleCount, t.body.labelled], ['tensors', 1, true]);
  });

  test('unsafe and invalid uploads are refused with a code, leaving nothing behind', async () => {
    const evil = join(work, 'evil');
    mkdirSync(join(evil, 'Bag'), { recursive: true });
    copyFileSync(fixtures('fashion-resnet/eval-100/Bag/00030.png'), join(evil, 'Bag/00030.png'));
    symlinkSync('/etc/passwd', join(evil, 'Bag/passwd.png'));
    const linked = await tarball('link.tar.gz', evil, ['Bag']);
    const unsafe = await api.http.post('/v1/datasets').set(auth).attach('file', linked).expect(400);
    assert.equal(unsafe.body.error.code, 'DATASET_UNSAFE');
    assert.match(unsafe.body.error.message, /passwd/);

    const broken = join(work, 'broken');
    cpSync(fixtures('fashion-resnet/eval-100/Bag'), join(broken, 'Bag'), { recursive: true });
    writeFileSync(join(broken, 'Bag/99999.png'), 'not a png');
    const bad = await api.http
      .post('/v1/datasets')
      .set(auth)
      .attach('file', await tarball('broken.tar.gz', broken, ['Bag']))
      .expect(422);
    assert.equal(bad.body.error.code, 'DATASET_INVALID');
    assert.match(bad.body.error.message, /99999/);

    const png = await api.http.post('/v1/datasets').set(auth).attach('file', fixtures('fashion-resnet/eval-100/Bag/00030.png')).expect(415);
    assert.equal(png.body.error.code, 'DATASET_INVALID');
    const badJson = await api.http
      .post('/v1/datasets')
      .set(auth)
      .field('preprocess', '{nope')
      .attach('file', fixtures('sentiment-bert/calib-200.jsonl'))
      .expect(400);
    assert.equal(badJson.body.error.code, 'PREPROCESS_INVALID');
    const listed = await api.http.get('/v1/datasets?limit=100').set(auth).expect(200);
    assert.ok(listed.body.items.every((d: { name: string }) => !['link', 'broken'].includes(d.name)));
  });

  test('another team cannot read or delete a dataset', async () => {
    const mine = await api.http.post('/v1/datasets').set(auth).attach('file', fixtures('sentiment-bert/calib-200.jsonl')).expect(201);
    const { auth: stranger } = await api.newTeam();
    await api.http.get(`/v1/datasets/${mine.body.id}`).set(stranger).expect(404);
    await api.http.delete(`/v1/datasets/${mine.body.id}`).set(stranger).expect(404);
    await api.http.delete(`/v1/datasets/${mine.body.id}`).set(auth).expect(204);
    await api.http.get(`/v1/datasets/${mine.body.id}`).set(auth).expect(404);
  });
});
