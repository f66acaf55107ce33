import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fidelity } from './fidelity';
import { argmax, classificationMetrics, wilson } from './metrics';

const close = (actual: number, expected: number, digits = 4): void => assert.equal(actual.toFixed(digits), expected.toFixed(digits));

function oneHot(index: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, i) => (i === index ? 1 : 0));
}

describe('classification metrics', () => {
  test('Wilson 95 % interval matches the textbook values', () => {
    const half = wilson(0.5, 100);
    close(half.low, 0.4038);
    close(half.high, 0.5962);
    const none = wilson(0, 10);
    assert.equal(none.low, 0);
    close(none.high, 0.2775);
    const all = wilson(1, 600);
    close(all.low, 0.9936);
    assert.equal(all.high, 1);
  });

  test('top-1 and macro-F1 as scikit-learn computes them (classes from labels or predictions)', () => {
    const labels = [0, 0, 1, 1, 2];
    const scores = [0, 1, 1, 1, 0].map((p) => oneHot(p, 3));
    const metrics = classificationMetrics(scores, labels, 3);
    close(metrics.top1.value, 3 / 5);
    assert.equal(metrics.top1.n, 5);
    close(metrics.macroF1.value, (0.5 + 0.8 + 0) / 3);
    assert.ok(metrics.macroF1.low < metrics.macroF1.value && metrics.macroF1.high > metrics.macroF1.value);
    assert.equal(metrics.top5, undefined);
    assert.equal(metrics.f1, undefined);
  });

  test('binary F1 uses class 1 as the positive class', () => {
    const metrics = classificationMetrics(
      [1, 0, 0, 1, 1].map((p) => oneHot(p, 2)),
      [1, 1, 0, 0, 1],
      2,
    );
    close(metrics.f1!.value, 2 / 3);
    close(metrics.top1.value, 3 / 5);
    const interval = wilson(2 / 3, 3);
    close(metrics.f1!.low, interval.low);
  });

  test('top-5 counts the label among the five highest scores', () => {
    const scores = [
      [9, 8, 7, 6, 5, 4, 3],
      [9, 8, 7, 6, 5, 4, 3],
    ];
    const metrics = classificationMetrics(scores, [4, 5], 7);
    close(metrics.top5!.value, 0.5);
    close(metrics.top1.value, 0);
    assert.equal(argmax([1, 3, 3]), 1);
  });
});

describe('fidelity', () => {
  test('identical outputs agree fully; different ones report error, cosine and agreement', () => {
    const a = [Float32Array.from([1, 2, 3]), Float32Array.from([3, 0, 0])];
    const same = fidelity(a, a, { dims: [3] });
    assert.deepEqual([same.top1Agreement?.value, same.meanAbsoluteError, same.cosineSimilarity], [1, 0, 1]);
    const b = [Float32Array.from([1, 2, 4]), Float32Array.from([0, 3, 0])];
    const report = fidelity(a, b, { dims: [3] });
    close(report.meanAbsoluteError, (1 + 3 + 3) / 6);
    close(report.cosineSimilarity, ((1 + 4 + 12) / Math.sqrt(14 * 21) + 0) / 2);
    assert.equal(report.top1Agreement?.value, 0.5);
    assert.equal(report.iou, undefined);
  });

  test('mask IoU over per-pixel classes (channel argmax) and over thresholded single-channel masks', () => {
    const channels = [Float32Array.from([5, 5, 0, 0, 0, 0, 5, 5])];
    const shifted = [Float32Array.from([5, 0, 0, 0, 0, 5, 5, 5])];
    const report = fidelity(channels, shifted, { dims: [2, 2, 2] });
    close(report.iou!, (1 / 2 + 2 / 3) / 2);
    const probabilities = [Float32Array.from([0.9, 0.8, 0.1, 0.2])];
    const other = [Float32Array.from([0.9, 0.2, 0.1, 0.2])];
    close(fidelity(probabilities, other, { dims: [1, 2, 2] }).iou!, (1 / 2 + 2 / 3) / 2);
  });
});
