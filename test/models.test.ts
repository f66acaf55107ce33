import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadModel, saveModel } from '../src/onnx';
import { fixtures, isolateEnvironment, startApi, type Api } from './support/harness';

isolateEnvironment();
const resnet = fixtures('fashion-resnet/models/fashion-resnet-identity.onnx');
const resnetStudent = fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx');
const bert = fixtures('sentiment-bert/models/sentiment-bert-identity.onnx');

describe('model registry', () => {
  let api: Api;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => api.close());

  const upload = (path: string | Buffer, name: string, filename = 'model.onnx') =>
    api.http.post('/v1/models').set(auth).field('name', name).attach('file', path, filename);

  test('an image model is described with its io spec, size and op histogram', async () => {
    const res = await upload(resnet, 'fashion-resnet').expect(201);
    assert.equal(res.body.name, 'fashion-resnet');
    assert.equal(res.body.opset, 17);
    assert.deepEqual(res.body.inputs, [{ name: 'input', elemType: 'float32', shape: ['N', 1, 32, 32] }]);
    assert.deepEqual(res.body.outputs, [{ name: 'logits', elemType: 'float32', shape: ['N', 10] }]);
    assert.equal(res.body.sizeBytes, readFileSync(resnet).byteLength);
    assert.equal(res.body.opHistogram.Conv, 15);
    assert.equal(res.body.opHistogram.Add, 6);
    assert.ok(res.body.paramCount > 690_000 && res.body.paramCount < 700_000, `paramCount ${res.body.paramCount}`);
    assert.deepEqual(
      res.body.variants.map((v: { operators: string[] }) => v.operators),
      [['identity']],
    );
  });

  test('a text model records both int64 inputs with the symbolic batch dimension', async () => {
    const res = await upload(bert, 'sentiment-bert').expect(201);
    assert.deepEqual(
      res.body.inputs.map((i: { name: string; elemType: string; shape: unknown[] }) => [i.name, i.elemType, i.shape]),
      [
        ['input_ids', 'int64', ['N', 128]],
        ['attention_mask', 'int64', ['N', 128]],
      ],
    );
  });

  test('the same bytes uploaded twice are stored once', async () => {
    const a = await upload(resnetStudent, 'student-a').expect(201);
    const b = await upload(resnetStudent, 'student-b').expect(201);
    assert.notEqual(a.body.id, b.body.id);
    assert.equal(a.body.sha256, b.body.sha256);
  });

  test('list is paginated, get returns the model, delete removes it', async () => {
    const { auth: other } = await api.newTeam();
    const ids: string[] = [];
    for (const name of ['m1', 'm2', 'm3'])
      ids.push(
        (await api.http.post('/v1/models').set(other).field('name', name).attach('file', resnetStudent, 'm.onnx').expect(201)).body.id,
      );
    const first = await api.http.get('/v1/models?limit=2').set(other).expect(200);
    assert.deepEqual(
      first.body.items.map((m: { name: string }) => m.name),
      ['m3', 'm2'],
    );
    assert.ok(first.body.nextCursor);
    const second = await api.http.get(`/v1/models?limit=2&cursor=${first.body.nextCursor}`).set(other).expect(200);
    assert.deepEqual(
      second.body.items.map((m: { name: string }) => m.name),
      ['m1'],
    );
    assert.equal(second.body.nextCursor, null);
    const got = await api.http.get(`/v1/models/${ids[0]}`).set(other).expect(200);
    assert.equal(got.body.name, 'm1');
    await api.http.delete(`/v1/models/${ids[0]}`).set(other).expect(204);
    await api.http.get(`/v1/models/${ids[0]}`).set(other).expect(404);
  });

  test('GraphQL serves the same description as REST', async () => {
    const created = await upload(resnetStudent, 'graphql-student').expect(201);
    const res = await api.http
      .post('/graphql')
      .set(auth)
      .send({
        query: `query($id: ID!) { model(id: $id) { id name sha256 opset inputs { name elemType shape } variants { operators origin } } }`,
        variables: { id: created.body.id },
      })
      .expect(200);
    assert.equal(res.body.errors, undefined);
    assert.deepEqual(res.body.data.model, {
      id: created.body.id,
      name: 'graphql-student',
      sha256: created.body.sha256,
      opset: 17,
      inputs: created.body.inputs,
      variants: [{ operators: ['identity'], origin: 'uploaded' }],
    });
    const list = await api.http.post('/graphql').set(auth).send({ query: '{ models(limit: 100) { items { id } } }' }).expect(200);
    assert.ok(list.body.data.models.items.some((m: { id: string }) => m.id === created.body.id));
  });

  test('a missing or unknown key is 401; another team sees a 404', async () => {
    const created = await upload(resnetStudent, 'private').expect(201);
    await api.http.get('/v1/models').expect(401);
    const bad = await api.http.get('/v1/models').set({ Authorization: 'Bearer tw_nope' }).expect(401);
    assert.equal(bad.body.error.code, 'UNAUTHENTICATED');
    const { auth: stranger } = await api.newTeam();
    const res = await api.http.get(`/v1/models/${created.body.id}`).set(stranger).expect(404);
    assert.equal(res.body.error.code, 'MODEL_NOT_FOUND');
    await api.http.delete(`/v1/models/${created.body.id}`).set(stranger).expect(404);
    const gql = await api.http
      .post('/graphql')
      .set(stranger)
      .send({ query: `{ model(id: "${created.body.id}") { id } }` })
      .expect(200);
    assert.equal(gql.body.errors[0].extensions.code, 'MODEL_NOT_FOUND');
    const unauthenticated = await api.http.post('/graphql').send({ query: '{ models { items { id } } }' });
    assert.equal(unauthenticated.body.errors[0].extensions.code, 'UNAUTHENTICATED');
  });

  test('bad uploads get a 4xx with a code, and the api still answers', async () => {
    const modelBytes = readFileSync(resnet);
    const cases: Array<[string, Buffer, number, string]> = [
      ['a PNG', readFileSync(fixtures('fashion-resnet/eval-100/Bag/00030.png')), 415, 'MODEL_NOT_ONNX'],
      ['an empty file', Buffer.alloc(0), 400, 'MODEL_EMPTY'],
      ['a truncated model', modelBytes.subarray(0, Math.floor(modelBytes.length / 2)), 400, 'MODEL_CORRUPT'],
      ['a model with external data', withExternalData(), 400, 'MODEL_EXTERNAL_DATA'],
      ['a model onnxruntime refuses', unloadableModel(), 422, 'MODEL_UNLOADABLE'],
    ];
    for (const [what, bytes, status, code] of cases) {
      const res = await upload(bytes, what);
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, what);
      assert.ok(res.body.error.message.length > 10, what);
    }
    const noFile = await api.http.post('/v1/models').set(auth).field('name', 'x').expect(400);
    assert.equal(noFile.body.error.code, 'UPLOAD_MISSING_FILE');
    const json = await api.http.post('/v1/models').set(auth).send({ name: 'x' }).expect(415);
    assert.equal(json.body.error.code, 'UPLOAD_NOT_MULTIPART');
    await api.http.get('/health').expect(200);
  });

  test('an upload over MAX_UPLOAD_BYTES is a 413', async () => {
    const previous = process.env.MAX_UPLOAD_BYTES;
    process.env.MAX_UPLOAD_BYTES = '100000';
    const small = await startApi();
    try {
      const { auth: team } = await small.newTeam();
      const res = await small.http.post('/v1/models').set(team).field('name', 'big').attach('file', resnet, 'big.onnx');
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, 'UPLOAD_TOO_LARGE');
      await small.http.get('/health').expect(200);
    } finally {
      if (previous === undefined) delete process.env.MAX_UPLOAD_BYTES;
      else process.env.MAX_UPLOAD_BYTES = previous;
      await small.close();
    }
  });

  test('white-box variants must share the model interface', async () => {
    const model = await upload(resnet, 'teacher').expect(201);
    const ok = await api.http
      .post(`/v1/models/${model.body.id}/variants`)
      .set(auth)
      .field('operator', 'distilled')
      .field('notes', 'KD student')
      .attach('file', resnetStudent, 'student.onnx')
      .expect(201);
    assert.deepEqual(ok.body.operators, ['distilled']);
    assert.equal(ok.body.origin, 'uploaded');
    const wrong = await api.http
      .post(`/v1/models/${model.body.id}/variants`)
      .set(auth)
      .field('operator', 'qat')
      .attach('file', bert, 'bert.onnx')
      .expect(422);
    assert.equal(wrong.body.error.code, 'VARIANT_INCOMPATIBLE');
    assert.match(wrong.body.error.message, /input "input" is missing/);
    const badOperator = await api.http
      .post(`/v1/models/${model.body.id}/variants`)
      .set(auth)
      .field('operator', 'magic')
      .attach('file', resnetStudent, 's.onnx')
      .expect(400);
    assert.equal(badOperator.body.error.code, 'VALIDATION_FAILED');
    const got = await api.http.get(`/v1/models/${model.body.id}`).set(auth).expect(200);
    assert.deepEqual(
      got.body.variants.map((v: { operators: string[] }) => v.operators),
      [['identity'], ['distilled']],
    );
  });
});

/** The distilled fixture with one initializer moved to an "external" file reference. */
function withExternalData(): Buffer {
  const model = loadModel(readFileSync(resnetStudent));
  const tensor = model.graph!.initializer![0];
  tensor.rawData = new Uint8Array();
  tensor.dataLocation = 1;
  tensor.externalData = [{ key: 'location', value: '../../etc/passwd' }];
  return Buffer.from(saveModel(model));
}

/** A well-formed ModelProto whose only node is an operator onnxruntime does not have. */
function unloadableModel(): Buffer {
  const model = loadModel(readFileSync(resnetStudent));
  model.graph!.node![0].opType = 'NoSuchOperator';
  return Buffer.from(saveModel(model));
}
