import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../common/paths';
import { TierwiseError } from '../common/errors';
import {
  addNode,
  addOutput,
  consumers,
  describeModel,
  ensureOpset,
  findWeight,
  loadModel,
  makeTensor,
  observedSpecs,
  onnx,
  openSession,
  opsetVersion,
  producers,
  saveModel,
  setInitializer,
  syntheticInputs,
  tensorToArray,
  toFeeds,
  topologicalOrder,
} from './index';

const fixtureModels = ['fashion-resnet', 'sentiment-bert'].flatMap((family) => {
  const dir = join(repoRoot(), 'test/fixtures', family, 'models');
  return readdirSync(dir).map((f) => join(dir, f));
});

function info(name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** y = If(cond, then: x + w, else: x - w), with w a Constant node in the outer graph read from inside the branches. */
function ifModel(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const branch = (op: string): onnx.IGraphProto => ({
    name: op,
    node: [{ opType: op, input: ['x', 'w'], output: [`${op}_out`] }],
    output: [info(`${op}_out`, F, ['N', 2])],
  });
  const graph: onnx.IGraphProto = {
    name: 'if-test',
    input: [info('x', F, ['N', 2])],
    output: [info('y', F, ['N', 2])],
    node: [
      {
        opType: 'Constant',
        output: ['w'],
        attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: makeTensor('w', [2], new Float32Array([1, 2])) }],
      },
      {
        opType: 'Constant',
        output: ['cond'],
        attribute: [
          { name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: makeTensor('cond', [], new Uint8Array([1]), 'bool') },
        ],
      },
      {
        opType: 'If',
        input: ['cond'],
        output: ['y'],
        attribute: [
          { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('Add') },
          { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('Sub') },
        ],
      },
    ],
  };
  return saveModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', graph });
}

describe('onnx toolkit', () => {
  for (const path of fixtureModels) {
    test(`round-trips ${path.split('/').pop()} with identical outputs`, async () => {
      const original = readFileSync(path);
      const resaved = saveModel(loadModel(original));
      const feeds = syntheticInputs(loadModel(original));
      const a = await openSession(original, { threads: 1 });
      const b = await openSession(resaved, { threads: 1 });
      const ra = await a.run(toFeeds(feeds));
      const rb = await b.run(toFeeds(feeds));
      assert.deepEqual(Object.keys(rb), Object.keys(ra));
      for (const k of Object.keys(ra)) assert.deepEqual(Array.from(rb[k].data as Float32Array), Array.from(ra[k].data as Float32Array));
      await a.release();
      await b.release();
    });
  }

  test('describeModel reports the fixtures as the README says', () => {
    const image = describeModel(readFileSync(join(repoRoot(), 'test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx')));
    assert.equal(image.opset, 17);
    assert.equal(image.irVersion, 8);
    assert.deepEqual(image.inputs, [{ name: 'input', elemType: 'float32', shape: [image.inputs[0].shape![0], 1, 32, 32] }]);
    assert.equal(typeof image.inputs[0].shape![0], 'string');
    assert.deepEqual(image.outputs[0].elemType, 'float32');
    assert.equal(image.outputs[0].shape![1], 10);
    assert.equal(image.paramCount, 694_922);
    assert.equal(image.opHistogram.Conv, 15);
    assert.equal(image.opHistogram.Gemm, 1);
    assert.equal(image.externalData, false);
    assert.equal(image.hasSubgraphs, false);
    const text = describeModel(readFileSync(join(repoRoot(), 'test/fixtures/sentiment-bert/models/sentiment-bert-identity.onnx')));
    assert.deepEqual(
      text.inputs.map((i) => [i.name, i.elemType, i.shape![1]]),
      [
        ['input_ids', 'int64', 128],
        ['attention_mask', 'int64', 128],
      ],
    );
    assert.equal(text.opHistogram.MatMul, 32);
    assert.ok(text.paramCount > 4_200_000 && text.paramCount < 4_300_000, String(text.paramCount));
  });

  test('describeModel rejects garbage, truncation and graph-less protos as MODEL_CORRUPT', () => {
    const valid = readFileSync(join(repoRoot(), 'test/fixtures/fashion-resnet/models/fashion-resnet-distilled.onnx'));
    let seed = 7;
    const random = new Uint8Array(4096).map(() => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff);
    const cases = [
      random,
      valid.subarray(0, valid.length / 2),
      new Uint8Array(0),
      saveModel({ irVersion: 8 }),
      new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0x0f]),
    ];
    for (const bytes of cases) {
      assert.throws(
        () => describeModel(bytes),
        (e: unknown) => e instanceof TierwiseError && e.code === 'MODEL_CORRUPT' && e.status === 400,
      );
    }
  });

  test('walks If subgraphs: outer-scope reads, Constant weights, topological order, external data', async () => {
    const bytes = ifModel();
    const d = describeModel(bytes);
    assert.equal(d.hasSubgraphs, true);
    assert.deepEqual(d.opHistogram, { Constant: 2, If: 1, Add: 1, Sub: 1 });
    assert.equal(d.paramCount, 2, 'the bool condition is not a parameter');
    const model = loadModel(bytes);
    const graph = model.graph!;
    assert.deepEqual(Array.from(findWeight(graph, 'w')!.data as Float32Array), [1, 2]);
    assert.equal(findWeight(graph, 'w')!.source, 'constant');
    assert.deepEqual(
      consumers(graph)
        .get('w')!
        .map((n) => n.opType),
      ['If'],
    );
    assert.equal(producers(graph).get('y')!.opType, 'If');
    graph.node = [...(graph.node ?? [])].reverse();
    assert.deepEqual(
      topologicalOrder(graph)
        .map((n) => n.opType)
        .slice(-1),
      ['If'],
    );
    graph.node = topologicalOrder(graph);
    const session = await openSession(saveModel(model));
    const out = await session.run(toFeeds({ x: { type: 'float32', dims: [1, 2], data: new Float32Array([10, 20]) } }));
    assert.deepEqual(Array.from(out.y.data as Float32Array), [11, 22]);
    await session.release();
    graph.initializer!.push(
      onnx.TensorProto.create({
        name: 'ext',
        dataType: 1,
        dims: [1],
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'w.bin' }],
      }),
    );
    assert.equal(describeModel(saveModel(model)).externalData, true);
  });

  test('edits: initializers, nodes, outputs and opsets', async () => {
    const model = loadModel(ifModel());
    const graph = model.graph!;
    setInitializer(graph, makeTensor('k', [1], new Float32Array([3])));
    addNode(graph, { opType: 'Mul', input: ['y', 'k'], output: ['z'], name: 'scale' });
    addOutput(graph, 'z');
    ensureOpset(model, '', 13);
    assert.equal(opsetVersion(model), 17);
    ensureOpset(model, 'com.microsoft', 1);
    assert.equal(opsetVersion(model, 'com.microsoft'), 1);
    assert.deepEqual(Array.from(tensorToArray(graph.initializer![0]) as Float32Array), [3]);
    const session = await openSession(saveModel(model));
    const out = await session.run(toFeeds({ x: { type: 'float32', dims: [1, 2], data: new Float32Array([1, 1]) } }));
    assert.deepEqual(Array.from(out.z.data as Float32Array), [6, 9]);
    await session.release();
  });

  test('observedSpecs completes intermediate shapes by running the model', async () => {
    const model = loadModel(readFileSync(join(repoRoot(), 'test/fixtures/fashion-resnet/models/fashion-resnet-distilled.onnx')));
    const specs = await observedSpecs(model);
    assert.deepEqual(specs.get('/Flatten_output_0'), { name: '/Flatten_output_0', elemType: 'float32', shape: [1, 64] });
    assert.equal(specs.get('input')!.elemType, 'float32');
  });
});
