import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import type { DatasetSample } from '../../datasets/formats/types';
import { loadModel, type ModelProto } from '../../onnx';
import { top1Accuracy } from '../quantization/accuracy';
import { loadFixtureSplit } from '../testing/fixture-samples';
import { fixtureModels, floatInput, maxAbsDiff, runModel } from '../testing/fixture-models';
import { bypassBlocks, listBlocks, selectExitVariants } from './index';

const fixture = (suffix: string): ModelProto => loadModel(readFileSync(fixtureModels().find((p) => p.endsWith(suffix))!));
const feeds = { input: floatInput([2, 1, 32, 32]) };

describe('early exit', () => {
  test('image teacher: the 6 residual Adds, 4 identity (bypassable) and 2 projection shortcuts', async () => {
    const blocks = await listBlocks(fixture('fashion-resnet-identity.onnx'));
    assert.deepEqual(
      blocks.map((b) => b.id),
      [0, 1, 2, 3, 4, 5].map((i) => `/layers/layers.${i}/Add`),
    );
    assert.deepEqual(
      blocks.map((b) => b.shortcut),
      ['identity', 'identity', 'projection', 'identity', 'projection', 'identity'],
    );
    assert.deepEqual(
      blocks.map((b) => b.bypassable),
      [true, true, false, true, false, true],
    );
    for (const b of blocks) assert.equal(b.nodes.length, 3, `${b.id}: conv1, relu1, conv2`);
    const stage1 = blocks[0];
    assert.ok(Math.abs(stage1.macs - 2 * 32 * 32 * 32 * 32 * 9) < 1, String(stage1.macs));
    assert.ok(stage1.macShare > 0.15 && stage1.macShare < 0.2, String(stage1.macShare));
  });

  test('a bypassed block: loads, keeps the output shape, changes outputs, drops the branch and its weights', async () => {
    const model = fixture('fashion-resnet-identity.onnx');
    const blocks = await listBlocks(model);
    const variant = bypassBlocks(model, blocks, ['/layers/layers.3/Add']);
    assert.equal(variant.graph!.node!.length, model.graph!.node!.length - 4);
    assert.equal(variant.graph!.initializer!.length, model.graph!.initializer!.length - 4);
    const [a, b] = [await runModel(model, feeds), await runModel(variant, feeds)];
    assert.deepEqual(b.logits.dims, a.logits.dims);
    assert.ok(maxAbsDiff(a, b) > 1e-3);
    const two = bypassBlocks(model, blocks, ['/layers/layers.0/Add', '/layers/layers.5/Add']);
    assert.deepEqual((await runModel(two, feeds)).logits.dims, [2, 10]);
  });

  test('QDQ and text models: blocks are found through Q/DQ and in the encoder, and their variants run', async () => {
    const qat = fixture('fashion-resnet-qat.onnx');
    const qatBlocks = await listBlocks(qat);
    assert.equal(qatBlocks.filter((b) => b.bypassable).length, 4);
    assert.deepEqual((await runModel(bypassBlocks(qat, qatBlocks, ['/layers/layers.1/Add']), feeds)).logits.dims, [2, 10]);
    const text = fixture('sentiment-bert-distilled.onnx');
    const textBlocks = await listBlocks(text);
    assert.deepEqual(
      textBlocks.map((b) => b.id),
      ['/layers.0/Add_1', '/layers.0/Add_3', '/layers.1/Add_1', '/layers.1/Add_3'],
    );
    const ids = { type: 'int64' as const, dims: [1, 128], data: BigInt64Array.from({ length: 128 }, (_, i) => BigInt(i < 10 ? 5 + i : 0)) };
    const mask = { type: 'int64' as const, dims: [1, 128], data: BigInt64Array.from({ length: 128 }, (_, i) => BigInt(i < 10 ? 1 : 0)) };
    const variant = bypassBlocks(text, textBlocks, ['/layers.1/Add_1']);
    assert.deepEqual((await runModel(variant, { input_ids: ids, attention_mask: mask })).logits.dims, [1, 2]);
  });

  test('bad requests: an unknown block and a projection block', async () => {
    const model = fixture('fashion-resnet-identity.onnx');
    const blocks = await listBlocks(model);
    assert.throws(
      () => bypassBlocks(model, blocks, ['/nope/Add']),
      (e: unknown) => e instanceof TierwiseError && e.code === 'EARLY_EXIT_BLOCK_UNKNOWN' && e.message.includes('/nope/Add'),
    );
    assert.throws(
      () => bypassBlocks(model, blocks, ['/layers/layers.2/Add']),
      (e: unknown) => e instanceof TierwiseError && e.code === 'EARLY_EXIT_BLOCK_NOT_BYPASSABLE' && e.message.includes('projection'),
    );
  });

  test('variant selection with a real accuracy evaluator keeps a loss/saving Pareto front', async () => {
    const model = fixture('fashion-resnet-identity.onnx');
    const samples: DatasetSample[] = (await loadFixtureSplit('fashion-resnet', 'eval-100')).samples;
    const selection = await selectExitVariants(model, await listBlocks(model), { accuracy: (bytes) => top1Accuracy(bytes, samples) }, 2);
    assert.ok(selection.baseline.accuracy >= 85, String(selection.baseline.accuracy));
    assert.equal(selection.evaluated.length, 4 + 3);
    assert.ok(selection.front.length >= 1);
    for (const v of selection.front) assert.ok(!selection.evaluated.some((o) => o.saving > v.saving && o.accuracyLoss < v.accuracyLoss));
    assert.ok(selection.evaluated.filter((v) => v.skipped.length === 2).every((v) => v.saving > 0.3));
  });
});
