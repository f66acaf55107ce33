import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../common/paths';
import { loadDataset, parsePreprocess } from '../datasets/formats';
import { evaluateIsolated, evaluateModel, evaluateRequest, type EvaluationRequest } from './index';

const fixtures = join(repoRoot(), 'test/fixtures');
const fashion = join(fixtures, 'fashion-resnet');
const bert = join(fixtures, 'sentiment-bert');
const work = mkdtempSync(join(tmpdir(), 'tierwise-eval-spec-'));
after(() => rmSync(work, { recursive: true, force: true }));

const imageRequest = (variant: string, split = 'eval-100'): EvaluationRequest => ({
  modelPath: join(fashion, `models/fashion-resnet-${variant}.onnx`),
  datasetPath: join(fashion, split),
  preprocessPath: join(fashion, 'preprocess.json'),
});
const textRequest = (variant: string, datasetPath = join(bert, 'test-100.jsonl')): EvaluationRequest => ({
  modelPath: join(bert, `models/sentiment-bert-${variant}.onnx`),
  datasetPath,
  preprocessPath: join(bert, 'preprocess.json'),
});

// Accuracies on the small splits, measured once with this evaluator; the full splits reproduce the README.
const FASHION_EVAL_100 = { identity: 0.91, distilled: 0.91, qat: 0.92, pruned: 0.92 };
const BERT_TEST_100 = { identity: 0.81, distilled: 0.78, qat: 0.81, pruned: 0.76 };

describe('evaluation on the fixture models', () => {
  for (const [variant, accuracy] of Object.entries(FASHION_EVAL_100)) {
    test(`fashion-resnet-${variant} on eval-100: top-1 ${accuracy}`, async () => {
      const report = await evaluateRequest(imageRequest(variant));
      assert.equal(report.n, 100);
      assert.equal(report.metrics?.top1.value, accuracy);
      assert.ok(report.metrics!.top1.low < accuracy && report.metrics!.top1.high > accuracy);
      assert.ok(report.metrics?.top5 && report.metrics.top5.value >= accuracy);
      assert.equal(report.metrics?.f1, undefined);
      assert.equal(report.batchSize, 50);
      assert.equal(report.payload.meanInputBytes, 4096);
      assert.ok(report.payload.meanPayloadBytes > 300 && report.payload.meanPayloadBytes < 800);
    });
  }

  for (const [variant, accuracy] of Object.entries(BERT_TEST_100)) {
    test(`sentiment-bert-${variant} on test-100: accuracy ${accuracy}, binary F1 present`, async () => {
      const report = await evaluateRequest(textRequest(variant));
      assert.equal(report.metrics?.top1.value, accuracy);
      assert.ok(report.metrics?.f1 && report.metrics.f1.value > 0.7);
      assert.equal(report.metrics?.top5, undefined);
      assert.equal(report.payload.meanInputBytes, 2048);
    });
  }

  test('fashion-resnet-distilled on eval-1000 reproduces the README: 93.4 %', async () => {
    const report = await evaluateRequest(imageRequest('distilled', 'eval-1000'));
    assert.equal(report.n, 1000);
    assert.equal(report.metrics?.top1.value, 0.934);
  });

  test('the tensors form of test-100 scores the same as the text form', async () => {
    const report = await evaluateRequest({
      ...textRequest('distilled'),
      datasetPath: join(bert, 'test-100.tokens.json'),
      preprocessPath: undefined,
    });
    assert.equal(report.metrics?.top1.value, BERT_TEST_100.distilled);
  });

  test('fidelity to the baseline: a model agrees with itself exactly, QAT nearly', async () => {
    const baselinePath = join(fashion, 'models/fashion-resnet-identity.onnx');
    const dataset = await loadDataset(join(fashion, 'eval-100'), {
      preprocess: parsePreprocess({ pad_to: [32, 32], channels: 1, mean: [0.286], std: [0.353] }, '.'),
    });
    const self = await evaluateModel(baselinePath, dataset, { baselinePath });
    assert.deepEqual([self.fidelity?.top1Agreement?.value, self.fidelity?.meanAbsoluteError, self.fidelity?.n], [1, 0, 100]);
    assert.ok(Math.abs(self.fidelity!.cosineSimilarity - 1) < 1e-6);
    const qat = await evaluateModel(join(fashion, 'models/fashion-resnet-qat.onnx'), dataset, { baselinePath, batchSize: 7 });
    assert.ok(qat.fidelity!.top1Agreement!.value >= 0.95 && qat.fidelity!.top1Agreement!.value < 1.0001);
    assert.ok(qat.fidelity!.meanAbsoluteError > 0);
    assert.ok(qat.fidelity!.cosineSimilarity > 0.98 && qat.fidelity!.cosineSimilarity < 1);
    assert.equal(qat.metrics?.top1.value, FASHION_EVAL_100.qat);
  });

  test('unlabelled text: no metrics, fidelity only', async () => {
    const path = join(work, 'unlabelled.jsonl');
    writeFileSync(path, '{"text": "great phone, works well"}\n{"text": "terrible, broke in a day"}\n{"text": "ok"}\n');
    const report = await evaluateRequest({
      ...textRequest('pruned', path),
      baselinePath: join(bert, 'models/sentiment-bert-identity.onnx'),
    });
    assert.equal(report.labelled, false);
    assert.equal(report.metrics, undefined);
    assert.equal(report.fidelity?.n, 3);
    assert.ok(report.fidelity?.top1Agreement);
  });

  test('a dataset that does not fit the model is DATASET_MISMATCH', async () => {
    await assert.rejects(
      evaluateRequest({ ...textRequest('distilled'), modelPath: imageRequest('distilled').modelPath, preprocessPath: undefined }),
      { code: 'DATASET_MISMATCH', message: /holds text.*input: float32\[N,1,32,32\]/ },
    );
    await assert.rejects(
      evaluateRequest({ ...imageRequest('distilled'), modelPath: textRequest('distilled').modelPath, preprocessPath: undefined }),
      { code: 'DATASET_MISMATCH', message: /holds images/ },
    );
    await assert.rejects(
      evaluateRequest({ ...imageRequest('distilled'), datasetPath: join(bert, 'test-100.tokens.json'), preprocessPath: undefined }),
      { code: 'DATASET_MISMATCH', message: /no input input\b|has input input_ids/ },
    );
    const path = join(work, 'three-classes.jsonl');
    writeFileSync(path, '{"text": "fine", "label": 1}\n{"text": "meh", "label": 2}\n');
    await assert.rejects(evaluateRequest(textRequest('distilled', path)), {
      code: 'DATASET_MISMATCH',
      status: 422,
      message: /label 2.*only 2 classes/,
    });
  });

  test('evaluateIsolated runs in a child process and returns the same numbers', async () => {
    const isolated = await evaluateIsolated(imageRequest('distilled'), { timeoutMs: 60_000 });
    assert.equal(isolated.metrics?.top1.value, FASHION_EVAL_100.distilled);
    await assert.rejects(evaluateIsolated({ ...imageRequest('distilled'), modelPath: join(work, 'missing.onnx') }, { timeoutMs: 60_000 }), {
      code: 'MODEL_NOT_FOUND',
    });
  });
});
