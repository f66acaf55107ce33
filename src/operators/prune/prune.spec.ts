import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import { findWeight, loadModel } from '../../onnx';
import { fixtureModels, floatInput, initializersToConstants, runModel } from '../testing/fixture-models';
import { pruneModel } from './index';

const fixture = (suffix: string): string => fixtureModels().find((p) => p.endsWith(suffix))!;

describe('prune', () => {
  test('global 75% on the image teacher: real sparsity, uneven layers, smaller gzip, still runs with the same output shape', async () => {
    const model = loadModel(readFileSync(fixture('fashion-resnet-identity.onnx')));
    const { model: pruned, report } = pruneModel(model, { sparsity: 0.75 });
    assert.equal(report.layers.length, 16);
    assert.equal(report.values, 693_792);
    assert.ok(Math.abs(report.realSparsity - 0.75) < 1e-4, String(report.realSparsity));
    const per = report.layers.map((l) => l.sparsity);
    assert.ok(Math.max(...per) - Math.min(...per) > 0.2, 'a global threshold prunes layers unevenly');
    assert.ok(report.size.gzipAfterBytes < report.size.gzipBeforeBytes * 0.6);
    assert.ok(Math.abs(report.size.afterBytes - report.size.beforeBytes) < 1024, 'dense storage keeps the size');
    const w = findWeight(pruned.graph!, report.layers[5].weight)!;
    assert.equal(Array.from(w.data as Float32Array).filter((v) => v === 0).length, report.layers[5].zeros);
    const feeds = { input: floatInput([2, 1, 32, 32]) };
    const [a, b] = [await runModel(model, feeds), await runModel(pruned, feeds)];
    assert.deepEqual(b.logits.dims, a.logits.dims);
    assert.notDeepEqual(Array.from(b.logits.data), Array.from(a.logits.data));
  });

  test('per-layer 50% on the text student: every layer at 50%; weights held in Constant nodes are pruned too', () => {
    const model = loadModel(readFileSync(fixture('sentiment-bert-distilled.onnx')));
    const { report } = pruneModel(model, { sparsity: 0.5, scope: 'per-layer' });
    for (const layer of report.layers) assert.ok(Math.abs(layer.sparsity - 0.5) <= 1 / layer.values, `${layer.weight}: ${layer.sparsity}`);
    const image = loadModel(readFileSync(fixture('fashion-resnet-distilled.onnx')));
    initializersToConstants(image);
    const constants = pruneModel(image, { sparsity: 0.3, scope: 'per-layer' });
    assert.ok(constants.report.layers.length > 0 && constants.report.layers.every((l) => Math.abs(l.sparsity - 0.3) < 0.01));
    const stored = findWeight(constants.model.graph!, constants.report.layers[0].weight)!;
    assert.equal(stored.source, 'constant');
    assert.equal(Array.from(stored.data as Float32Array).filter((v) => v === 0).length, constants.report.layers[0].zeros);
  });

  test('QAT weights are int8 behind DequantizeLinear: reported as skipped, and nothing to prune is an error', () => {
    const model = loadModel(readFileSync(fixture('fashion-resnet-qat.onnx')));
    assert.throws(
      () => pruneModel(model, { sparsity: 0.5 }),
      (e: unknown) => e instanceof TierwiseError && e.code === 'PRUNE_NO_WEIGHTS' && /DequantizeLinear/.test(e.message),
    );
  });

  test('sparsity outside [0, 1) is PRUNE_SPARSITY_INVALID', () => {
    const model = loadModel(readFileSync(fixture('fashion-resnet-distilled.onnx')));
    for (const sparsity of [1, -0.1, 1.5, Number.NaN]) {
      assert.throws(
        () => pruneModel(model, { sparsity }),
        (e: unknown) => e instanceof TierwiseError && e.code === 'PRUNE_SPARSITY_INVALID' && e.message.includes('[0, 1)'),
      );
    }
    assert.equal(pruneModel(model, { sparsity: 0 }).report.realSparsity, 0);
  });
});
