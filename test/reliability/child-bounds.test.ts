import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { childSlots } from '../../src/isolation/child-slots';
import { onnx, saveModel } from '../../src/onnx';
import { isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();
process.env.CHILD_CONCURRENCY = '2';
process.env.MODEL_LOAD_MEMORY_MB = '384';
process.env.TEAM_MAX_UPLOADS = '20';

const F = onnx.TensorProto.DataType.FLOAT;
const info = (name: string, dims: number[]): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/** y = x + ConstantOfShape(shape): a model of a few hundred bytes whose load folds `shape` into a real tensor. */
function constantOfShapeModel(name: string, shape: number[]): Buffer {
  const shapeTensor: onnx.ITensorProto = {
    name: 'shape',
    dims: [shape.length],
    dataType: onnx.TensorProto.DataType.INT64,
    int64Data: shape,
  };
  const graph: onnx.IGraphProto = {
    name,
    input: [info('x', [1])],
    output: [info('y', shape)],
    initializer: [shapeTensor],
    node: [
      { opType: 'ConstantOfShape', input: ['shape'], output: ['big'] },
      { opType: 'Add', input: ['x', 'big'], output: ['y'] },
    ],
  };
  return Buffer.from(saveModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }));
}

describe('reliability: inspection children are bounded in number and memory', () => {
  let api: Api;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => api.close());

  test('a tiny model whose load needs 1 GiB is a 422 MODEL_TOO_BIG_TO_LOAD and /health answers meanwhile', async () => {
    const bytes = constantOfShapeModel('bomb', [16384, 16384]);
    assert.ok(bytes.length < 400, `the model is ${bytes.length} bytes`);
    const upload = api.http
      .post('/v1/models')
      .set(auth)
      .field('name', 'bomb')
      .attach('file', bytes, 'bomb.onnx')
      .then((r) => r);
    let settled = false;
    void upload.finally(() => (settled = true));
    let probes = 0;
    while (!settled) {
      const started = Date.now();
      await api.http.get('/health').expect(200);
      assert.ok(Date.now() - started < 2000, `/health took ${Date.now() - started} ms`);
      probes++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await upload;
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'MODEL_TOO_BIG_TO_LOAD', JSON.stringify(res.body));
    assert.ok(probes > 0);
  });

  test('parallel uploads never run more than CHILD_CONCURRENCY inspection children at once', async () => {
    const before = childSlots.stats();
    assert.equal(before.limit, 2);
    const uploads = Array.from({ length: 6 }, (_, i) =>
      api.http
        .post('/v1/models')
        .set(auth)
        .field('name', `small-${i}`)
        .attach('file', constantOfShapeModel(`small-${i}`, [2, i + 1]), `small-${i}.onnx`),
    );
    const answers = await Promise.all(uploads);
    for (const res of answers) assert.equal(res.status, 201, JSON.stringify(res.body));
    const stats = childSlots.stats();
    assert.equal(stats.started - before.started, 6);
    assert.ok(stats.peak <= 2, `peak ${stats.peak} children at once`);
    assert.equal(stats.running, 0);
  });
});
