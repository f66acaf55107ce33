import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from '../../common/paths';
import { TierwiseError } from '../../common/errors';
import type { InputTensor } from '../../onnx/io-spec';
import { loadModel, makeTensor, onnx, saveModel, type ModelProto } from '../../onnx';
import { attributeNodeTimes, listCuts, splitModel, type CutCandidate } from './index';
import { indexGraph } from './graph-index';
import { fixtureModels, floatInput, initializersToConstants, maxAbsDiff, runModel, type Outputs } from '../testing/fixture-models';

const F = onnx.TensorProto.DataType.FLOAT;

function fixtureInputs(path: string, batch: number): Record<string, InputTensor> {
  if (!path.includes('sentiment-bert')) return { input: floatInput([batch, 1, 32, 32]) };
  const tokens = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/sentiment-bert/test-100.tokens.json'), 'utf8')) as {
    input_ids: number[][];
    attention_mask: number[][];
  };
  const pick = (rows: number[][]): InputTensor => ({
    type: 'int64',
    dims: [batch, 128],
    data: BigInt64Array.from(rows.slice(0, batch).flat(), BigInt),
  });
  return { input_ids: pick(tokens.input_ids), attention_mask: pick(tokens.attention_mask) };
}

async function splitAndRun(
  model: ModelProto,
  cut: readonly string[],
  probe: Parameters<typeof splitModel>[2],
  feeds: Record<string, InputTensor>,
  optimization: 'all' | 'disabled',
): Promise<Outputs> {
  const { head, tail } = splitModel(model, cut, probe);
  const headOut = await runModel(head, feeds, optimization);
  const tailFeeds: Record<string, InputTensor> = {};
  for (const v of tail.graph!.input!) {
    const t = headOut[v.name!];
    tailFeeds[v.name!] = t
      ? { type: t.type as InputTensor['type'], dims: [...t.dims], data: t.data as InputTensor['data'] }
      : feeds[v.name!];
  }
  return runModel(tail, tailFeeds, optimization);
}

/** A spread of cuts: first, middle and last single tensor, and the first and last pair. */
function spread(cuts: CutCandidate[]): CutCandidate[] {
  const singles = cuts.filter((c) => c.tensors.length === 1);
  const pairs = cuts.filter((c) => c.tensors.length === 2);
  return [singles[0], singles[Math.floor(singles.length / 2)], singles.at(-1), pairs[0], pairs.at(-1)].filter(
    (c): c is CutCandidate => c !== undefined,
  );
}

describe('partition: extraction', () => {
  for (const path of fixtureModels()) {
    const qdq = path.includes('-qat');
    test(`${basename(path)}: tail(head(x)) equals the model at several cuts (batch 2, probed at batch 1)`, async () => {
      const model = loadModel(readFileSync(path));
      const { cuts, probe } = await listCuts(model);
      assert.ok(cuts.some((c) => c.tensors.length === 1) && cuts.some((c) => c.tensors.length === 2), 'single and paired cuts exist');
      const feeds = fixtureInputs(path, 2);
      const chosen = spread(cuts);
      if (qdq) chosen.push(cuts.find((c) => c.tensors.length === 1 && c.tensorInfo[0].elemType === 'uint8')!);
      for (const optimization of qdq ? (['disabled', 'all'] as const) : (['all'] as const)) {
        const reference = await runModel(model, feeds, optimization);
        for (const cut of chosen) {
          if (qdq && optimization === 'all' && cut.tensorInfo.some((t) => t.elemType !== 'uint8')) continue;
          const diff = maxAbsDiff(reference, await splitAndRun(model, cut.tensors, probe, feeds, optimization));
          if (qdq) assert.equal(diff, 0, `${cut.id} at ${optimization}`);
          else assert.ok(diff <= 1e-5, `${cut.id}: max abs diff ${diff}`);
        }
      }
    });
  }

  test('cuts on the image teacher: sizes, symbolic batch dim, pairs inside residual blocks, none inside a branch alone', async () => {
    const model = loadModel(readFileSync(fixtureModels().find((p) => p.endsWith('fashion-resnet-identity.onnx'))!));
    const { cuts, probe } = await listCuts(model);
    const byId = new Map(cuts.map((c) => [c.id, c]));
    assert.equal(byId.get('/pool/GlobalAveragePool_output_0')?.cutBytes, 128 * 4);
    assert.equal(byId.get('/layers/layers.0/Relu_output_0')?.cutBytes, 32 * 32 * 32 * 4);
    assert.ok(byId.has('/layers/layers.0/Relu_output_0+/layers/layers.1/conv1/Conv_output_0'));
    assert.ok(!byId.has('/layers/layers.1/conv1/Conv_output_0'));
    assert.equal(cuts.filter((c) => c.tensors.length === 1).length, 16);
    const { tail } = splitModel(model, ['/layers/layers.2/Relu_output_0'], probe);
    assert.deepEqual(
      tail.graph!.input!.map((v) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))),
      [['N', 64, 16, 16]],
    );
    assert.ok(tail.graph!.initializer!.length < model.graph!.initializer!.length);
  });

  test('text teacher: a cut after the embeddings forwards attention_mask; a mid-encoder cut needs the processed mask too', async () => {
    const model = loadModel(readFileSync(fixtureModels().find((p) => p.endsWith('sentiment-bert-distilled.onnx'))!));
    const { cuts } = await listCuts(model);
    const embeddings = cuts.find((c) => c.id === '/ln/LayerNormalization_output_0')!;
    assert.deepEqual(embeddings.forwardedInputs, ['attention_mask']);
    assert.equal(embeddings.transferBytes, 128 * 128 * 4 + 128 * 8);
    assert.ok(
      cuts.some(
        (c) =>
          c.id === '/layers.0/ln2/LayerNormalization_output_0+/Mul_output_0' ||
          c.id === '/Mul_output_0+/layers.0/ln2/LayerNormalization_output_0',
      ),
    );
  });

  test('subgraph-bearing nodes: an If in the head and an If in the tail reading a cut tensor and an outer initializer', async () => {
    const model = ifModel();
    const { cuts, probe } = await listCuts(model, { shapes: { x: [3, 4] } });
    assert.deepEqual(
      cuts.filter((c) => c.tensors.length === 1).map((c) => c.id),
      ['a', 'b'],
    );
    const feeds = { x: floatInput([3, 4]) };
    const reference = await runModel(model, feeds);
    for (const cut of ['a', 'b']) {
      const { head, tail } = splitModel(model, [cut], probe);
      assert.ok(head.graph!.node!.some((n) => n.opType === 'If'));
      assert.deepEqual(
        tail.graph!.initializer!.map((t) => t.name),
        ['w', 'zero'],
      );
      assert.deepEqual(head.graph!.initializer, []);
      assert.equal(maxAbsDiff(reference, await splitAndRun(model, [cut], probe, feeds, 'all')), 0);
    }
  });

  test('weights held in Constant nodes: each half keeps only the Constant nodes it needs', async () => {
    const model = loadModel(readFileSync(fixtureModels().find((p) => p.endsWith('fashion-resnet-identity.onnx'))!));
    initializersToConstants(model);
    const { cuts, probe } = await listCuts(model);
    const feeds = { input: floatInput([2, 1, 32, 32]) };
    const reference = await runModel(model, feeds);
    for (const id of [
      '/layers/layers.2/Relu_output_0',
      '/layers/layers.2/shortcut/shortcut.0/Conv_output_0+/layers/layers.2/relu1/Relu_output_0',
    ]) {
      const cut = cuts.find((c) => c.id === id)!;
      const { head, tail } = splitModel(model, cut.tensors, probe);
      const constants = (m: ModelProto): number => m.graph!.node!.filter((n) => n.opType === 'Constant').length;
      assert.equal(constants(head) + constants(tail), constants(model));
      assert.ok(maxAbsDiff(reference, await splitAndRun(model, cut.tensors, probe, feeds, 'all')) <= 1e-5);
    }
  });

  test('bad requests name the tensor: unknown name, a branch tensor that is not a cut, a graph input', async () => {
    const model = loadModel(readFileSync(fixtureModels().find((p) => p.endsWith('fashion-resnet-distilled.onnx'))!));
    const { probe } = await listCuts(model, { maxTensors: 1 });
    const rejects = (cut: string[], code: string, mention: string): void => {
      assert.throws(
        () => splitModel(model, cut, probe),
        (e: unknown) => e instanceof TierwiseError && e.code === code && e.message.includes(mention),
      );
    };
    rejects(['no-such-tensor'], 'PARTITION_TENSOR_UNKNOWN', 'no-such-tensor');
    rejects(['/layers/layers.0/conv1/Conv_output_0'], 'PARTITION_NOT_A_CUT', '/layers/layers.0/conv1/Conv_output_0');
    rejects(['input'], 'PARTITION_NOT_A_CUT', 'graph input');
    rejects(['logits'], 'PARTITION_NOT_A_CUT', 'graph output');
  });
});

describe('partition: cost attribution', () => {
  test('optimized-graph node names map back to original nodes', () => {
    const model = loadModel(readFileSync(fixtureModels().find((p) => p.endsWith('fashion-resnet-identity.onnx'))!));
    const index = indexGraph(model.graph!);
    const costs = attributeNodeTimes(index, [
      { node: '/layers/layers.0/relu1/Relu_output_0_nchwc', opType: 'Conv', scaledMeanMs: 2 },
      { node: '/fc/Gemm', opType: 'Gemm', scaledMeanMs: 1 },
      { node: 'fused /fc/Gemm', opType: 'FusedGemm', scaledMeanMs: 0.5 },
      { node: '/Flatten/SomeFusion/', opType: 'X', scaledMeanMs: 0.25 },
      { node: 'ReorderOutput', opType: 'ReorderOutput', scaledMeanMs: 0.125 },
      { node: '/stem/stem.0/Conv_token_1', opType: 'QLinearConv', scaledMeanMs: 4 },
      // An fp16 graph run in fp32 (ISNet fp16: 3180 of 3280 ms were unattributed before these names were read).
      { node: 'InsertedPrecisionFreeCast_/layers/layers.0/relu1/Relu_output_0_nchwc', opType: 'Conv', scaledMeanMs: 8 },
      { node: 'InsertedPrecisionFreeCast_/layers/layers.0/relu1/Relu_output_0', opType: 'Cast', scaledMeanMs: 16 },
      { node: '/layers/layers.0/relu1/Relu_output_0_cast0', opType: 'Cast', scaledMeanMs: 32 },
    ]);
    const at = (name: string): number => index.nodes.findIndex((n) => n.name === name);
    assert.equal(costs.perNode[at('/layers/layers.0/relu1/Relu')], 2 + 8 + 16 + 32);
    assert.equal(costs.perNode[at('/fc/Gemm')], 1.5);
    assert.equal(costs.perNode[at('/Flatten')], 0.25);
    assert.equal(costs.perNode[at('/stem/stem.0/Conv')], 4);
    assert.equal(costs.unattributedMs, 0.125);
  });
});

/** x → If(const: Relu | Neg) → a → Mul(a, a) → b → If(sum(b) > 0: b + w | b − w) → y, w an outer initializer. */
function ifModel(): ModelProto {
  const info = (name: string): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: F, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } },
  });
  const branch = (name: string, op: string, inputs: string[]): onnx.IGraphProto => ({
    name,
    node: [{ opType: op, input: inputs, output: [`${name}_out`] }],
    output: [info(`${name}_out`)],
  });
  const graphAttr = (name: string, g: onnx.IGraphProto): onnx.IAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.GRAPH,
    g,
  });
  const graph: onnx.IGraphProto = {
    name: 'if-cuts',
    input: [info('x')],
    output: [info('y')],
    initializer: [makeTensor('w', [4], Float32Array.from([1, -2, 3, -4])), makeTensor('zero', [], Float32Array.from([0]))],
    node: [
      {
        opType: 'Constant',
        output: ['flag'],
        attribute: [
          { name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: makeTensor('flag', [], new Uint8Array([1]), 'bool') },
        ],
      },
      {
        opType: 'If',
        name: 'first_if',
        input: ['flag'],
        output: ['a'],
        attribute: [graphAttr('then_branch', branch('relu', 'Relu', ['x'])), graphAttr('else_branch', branch('neg', 'Neg', ['x']))],
      },
      { opType: 'Mul', input: ['a', 'a'], output: ['b'] },
      {
        opType: 'ReduceSum',
        input: ['b'],
        output: ['s'],
        attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      },
      { opType: 'Greater', input: ['s', 'zero'], output: ['c'] },
      {
        opType: 'If',
        name: 'second_if',
        input: ['c'],
        output: ['y'],
        attribute: [
          graphAttr('then_branch', branch('plus', 'Add', ['b', 'w'])),
          graphAttr('else_branch', branch('minus', 'Sub', ['b', 'w'])),
        ],
      },
    ],
  };
  return loadModel(saveModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', graph }));
}
