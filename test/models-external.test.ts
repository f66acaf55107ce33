/**
 * Models whose weights live in external data files: uploaded as an archive (.tar.gz, .zip) or as multipart with
 * `data` parts; locations checked; stored as a bundle onnxruntime loads by path (src/models/external-data.ts).
 * The model is built here, byte by byte (a hand-written protobuf encoder: independent of the ONNX layer):
 * Y = X·W + B with X [N, 3], W [3, 2] and B [2] in external files.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as tar from 'tar';
import { buildZip } from '../src/datasets/formats/testing/zip-writer';
import { fixtures, isolateEnvironment, startApi, type Api } from './support/harness';

isolateEnvironment();

// --- a minimal protobuf writer ---
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
const field = (no: number, wire: number): Buffer => varint(no * 8 + wire);
const int = (no: number, v: number): Buffer => Buffer.concat([field(no, 0), varint(v)]);
const bytes = (no: number, b: Buffer | string): Buffer => {
  const d = Buffer.from(b);
  return Buffer.concat([field(no, 2), varint(d.length), d]);
};
const msg = (no: number, ...parts: Buffer[]): Buffer => bytes(no, Buffer.concat(parts));

function valueInfo(no: number, name: string, dims: Array<number | string>): Buffer {
  const shape = dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : bytes(2, d)));
  return msg(no, bytes(1, name), msg(2, msg(1, int(1, 1), msg(2, ...shape))));
}

function externalTensor(name: string, dims: number[], location: string, offset: number, length: number): Buffer {
  const entry = (k: string, v: string) => msg(13, bytes(1, k), bytes(2, v));
  return msg(
    5,
    ...dims.map((d) => int(1, d)),
    int(2, 1),
    bytes(8, name),
    entry('location', location),
    entry('offset', String(offset)),
    entry('length', String(length)),
    int(14, 1),
  );
}

/** Unique per run: blobs are shared across teams of the test database, so a fresh hash keeps this file's blobs its own. */
const PRODUCER = `tierwise-test-${randomUUID()}`;
const W = [1, 2, 3, 4, 5, 6]; // [3, 2]
const B = [0.5, -1];
const weights = Buffer.from(new Float32Array([...W, ...B]).buffer);

/** The model with W at offset 0 and B at offset 24 of `location` (or the two in `locations`). */
function externalModel(location: string, bLocation = location, bOffset = 24): Buffer {
  const graph = Buffer.concat([
    msg(1, bytes(1, 'X'), bytes(1, 'W'), bytes(2, 'XW'), bytes(3, 'matmul'), bytes(4, 'MatMul')),
    msg(1, bytes(1, 'XW'), bytes(1, 'B'), bytes(2, 'Y'), bytes(3, 'add'), bytes(4, 'Add')),
    bytes(2, 'external'),
    externalTensor('W', [3, 2], location, 0, 24),
    externalTensor('B', [2], bLocation, bOffset, 8),
    valueInfo(11, 'X', ['N', 3]),
    valueInfo(12, 'Y', ['N', 2]),
  ]);
  return Buffer.concat([int(1, 8), bytes(2, PRODUCER), msg(7, graph), msg(8, bytes(1, ''), int(2, 13))]);
}

const expected = (x: number[]): number[] => [0, 1].map((j) => x[0] * W[j] + x[1] * W[2 + j] + x[2] * W[4 + j] + B[j]);

const work = mkdtempSync(join(tmpdir(), 'tierwise-external-'));

function tarGz(name: string, files: Record<string, Buffer>): string {
  const dir = join(work, `${name}-src`);
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  const file = join(work, `${name}.tar.gz`);
  tar.c({ sync: true, gzip: true, cwd: dir, file, portable: true }, Object.keys(files));
  return file;
}

describe('models with external data', () => {
  let api: Api;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => api.close());

  const bundleDir = (sha: string) => join(process.env.BLOB_DIR!, 'bundles', sha);

  test('an .onnx alone that names external data is refused, saying how to upload it', async () => {
    const res = await api.http
      .post('/v1/models')
      .set(auth)
      .field('name', 'alone')
      .attach('file', externalModel('weights.bin'), 'model.onnx')
      .expect(400);
    assert.equal(res.body.error.code, 'MODEL_EXTERNAL_DATA');
    assert.match(res.body.error.message, /archive/);
  });

  test('a .tar.gz with the .onnx and its data file is accepted, and the stored bundle loads and computes X·W+B', async () => {
    const archive = tarGz('tgz', {
      'model.onnx': externalModel('weights.bin'),
      'weights.bin': weights,
      'README.txt': Buffer.from('unreferenced files are not stored'),
    });
    const res = await api.http.post('/v1/models').set(auth).attach('file', archive, 'linear.tar.gz').expect(201);
    assert.equal(res.body.name, 'linear');
    assert.deepEqual(res.body.inputs, [{ name: 'X', elemType: 'float32', shape: ['N', 3] }]);
    assert.equal(res.body.paramCount, 8);
    assert.deepEqual(
      res.body.externalData.files.map((f: { location: string; sizeBytes: number }) => [f.location, f.sizeBytes]),
      [['weights.bin', 32]],
    );
    const dir = bundleDir(res.body.sha256);
    assert.equal(existsSync(join(dir, 'README.txt')), false);
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const x = [1, -2, 0.25];
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from(x), [1, 3]) });
    assert.deepEqual(Array.from(out.Y.data as Float32Array), expected(x));
    await session.release();
    const again = await api.http.get(`/v1/models/${res.body.id}`).set(auth).expect(200);
    assert.equal(again.body.externalData.totalBytes, 32);
  });

  test('a zip with the model in a folder and data in a subfolder is accepted', async () => {
    const zip = buildZip([
      { name: 'linear/model.onnx', data: externalModel('data/w.bin', 'data/b.bin', 0) },
      { name: 'linear/data/w.bin', data: weights.subarray(0, 24) },
      { name: 'linear/data/b.bin', data: weights.subarray(24) },
    ]);
    const res = await api.http.post('/v1/models').set(auth).field('name', 'zipped').attach('file', zip, 'linear.zip').expect(201);
    assert.deepEqual(
      res.body.externalData.files.map((f: { location: string }) => f.location),
      ['data/b.bin', 'data/w.bin'],
    );
    const session = await ort.InferenceSession.create(join(bundleDir(res.body.sha256), 'model.onnx'));
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from([0, 0, 1]), [1, 3]) });
    assert.deepEqual(Array.from(out.Y.data as Float32Array), expected([0, 0, 1]));
    await session.release();
  });

  test('multipart with `data` parts is accepted; the same .onnx and data again share the bundle; deleting the last model removes it', async () => {
    const model = externalModel('weights.bin');
    const send = (name: string) =>
      api.http.post('/v1/models').set(auth).field('name', name).attach('file', model, 'model.onnx').attach('data', weights, 'weights.bin');
    const a = await send('multi-a').expect(201);
    const b = await send('multi-b').expect(201);
    assert.equal(a.body.sha256, b.body.sha256);
    assert.equal(a.body.externalData.files[0].sha256, b.body.externalData.files[0].sha256);
    const other = await api.http
      .post('/v1/models')
      .set(auth)
      .field('name', 'conflict')
      .attach('file', model, 'model.onnx')
      .attach('data', Buffer.from(new Float32Array(8).buffer), 'weights.bin')
      .expect(409);
    assert.equal(other.body.error.code, 'MODEL_EXTERNAL_DATA_CONFLICT');
    // The tar.gz test above uploaded the same .onnx with the same data: three models share the bundle.
    const list = await api.http.get('/v1/models?limit=100').set(auth).expect(200);
    const sharing = list.body.items.filter((m: { sha256: string }) => m.sha256 === a.body.sha256);
    for (const m of sharing) await api.http.delete(`/v1/models/${m.id}`).set(auth).expect(204);
    assert.equal(sharing.length, 3, JSON.stringify(list.body.items.map((m: { name: string }) => m.name)));
    assert.equal(existsSync(join(process.env.BLOB_DIR!, a.body.sha256.slice(0, 2), a.body.sha256)), false, 'the blob is gone');
    assert.equal(existsSync(bundleDir(a.body.sha256)), false, 'the bundle is gone');
  });

  for (const [label, location, code] of [
    ['a location with ..', '../escape.bin', 'MODEL_EXTERNAL_DATA_UNSAFE'],
    ['an absolute location', '/etc/passwd', 'MODEL_EXTERNAL_DATA_UNSAFE'],
    ['a missing data file', 'absent.bin', 'MODEL_EXTERNAL_DATA_MISSING'],
  ] as const) {
    test(`${label} is refused with ${code}`, async () => {
      const archive = tarGz(`bad-${code}-${location.length}`, { 'model.onnx': externalModel(location), 'weights.bin': weights });
      const res = await api.http.post('/v1/models').set(auth).attach('file', archive, 'bad.tar.gz').expect(400);
      assert.equal(res.body.error.code, code, res.body.error.message);
    });
  }

  test('a data file shorter than the ranges the model reads is refused', async () => {
    const archive = tarGz('short', { 'model.onnx': externalModel('weights.bin'), 'weights.bin': weights.subarray(0, 28) });
    const res = await api.http.post('/v1/models').set(auth).attach('file', archive, 'short.tar.gz').expect(400);
    assert.equal(res.body.error.code, 'MODEL_EXTERNAL_DATA_INVALID');
    assert.match(res.body.error.message, /tensor B reads bytes 24\.\.32 of weights\.bin, which has 28/);
  });

  test('an archive entry escaping the folder, two models in one archive, and unused data parts are refused', async () => {
    const escape = buildZip([
      { name: 'model.onnx', data: externalModel('weights.bin') },
      { name: '../weights.bin', data: weights },
    ]);
    const r1 = await api.http.post('/v1/models').set(auth).attach('file', escape, 'escape.zip').expect(400);
    assert.equal(r1.body.error.code, 'MODEL_ARCHIVE_UNSAFE');
    const two = tarGz('two', { 'a.onnx': externalModel('weights.bin'), 'b.onnx': externalModel('weights.bin'), 'weights.bin': weights });
    const r2 = await api.http.post('/v1/models').set(auth).attach('file', two, 'two.tar.gz').expect(400);
    assert.equal(r2.body.error.code, 'MODEL_ARCHIVE_INVALID');
    assert.match(r2.body.error.message, /a\.onnx, b\.onnx/);
    const r3 = await api.http
      .post('/v1/models')
      .set(auth)
      .attach('file', externalModel('weights.bin'), 'model.onnx')
      .attach('data', weights, 'weights.bin')
      .attach('data', weights, 'extra.bin')
      .expect(400);
    assert.equal(r3.body.error.code, 'MODEL_EXTERNAL_DATA_UNUSED');
    assert.match(r3.body.error.message, /extra\.bin/);
  });

  test('a self-contained model still uploads as before, also inside an archive', async () => {
    const plain = readFileSync(fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx'));
    const archive = tarGz('plain', { 'student.onnx': plain });
    const res = await api.http.post('/v1/models').set(auth).attach('file', archive, 'student.tar.gz').expect(201);
    assert.equal(res.body.name, 'student');
    assert.equal(res.body.externalData, undefined);
    assert.equal(res.body.sizeBytes, plain.length);
  });
});
