import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { quantizeBias, quantizeValue, quantizeWeight, quantParams, roundHalfEven } from './quant-math';
import { rangeOf, updateHistogram, updateMinMax, type TensorStats } from './ranges';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);

describe('QDQ arithmetic', () => {
  test('rounds half to even like QuantizeLinear', () => {
    assert.deepEqual([2.5, 3.5, -2.5, -3.5, 1.4999, 0.5].map(roundHalfEven), [2, 4, -2, -4, 1, 0]);
  });

  test('uint8 asymmetric activation parameters', () => {
    const p = quantParams(-1, 3, 'uint8');
    close(p.scale, 4 / 255);
    assert.equal(p.zeroPoint, 64, 'round(63.75)');
    assert.equal(quantizeValue(0, p, 'uint8'), 64, 'zero is exact');
    assert.equal(quantizeValue(100, p, 'uint8'), 255, 'saturates');
    const relu = quantParams(0, 6, 'uint8');
    assert.equal(relu.zeroPoint, 0);
    const positive = quantParams(2, 6, 'uint8');
    close(positive.scale, 6 / 255);
    assert.equal(positive.zeroPoint, 0, 'the range is widened to include 0');
    const int8 = quantParams(-1, 3, 'int8');
    assert.equal(int8.zeroPoint, -64, 'round(-128 + 63.75)');
    assert.deepEqual(quantParams(0, 0, 'uint8'), { scale: 1, zeroPoint: 0 });
  });

  test('per-channel int8 weights along axis 0 (Conv) and axis 1 (MatMul)', () => {
    const w = new Float32Array([1, -2, 0.5, 0.1, 0.2, -0.4]);
    const conv = quantizeWeight(w, [2, 3], 0);
    close(conv.scales[0], 2 / 127);
    close(conv.scales[1], 0.4 / 127);
    assert.deepEqual(Array.from(conv.data), [64, -127, 32, 32, 64, -127]);
    const matmul = quantizeWeight(w, [3, 2], 1);
    close(matmul.scales[0], 1 / 127);
    close(matmul.scales[1], 2 / 127);
    assert.deepEqual(Array.from(matmul.data), [127, -127, 64, 6, 25, -25]);
    const perTensor = quantizeWeight(w, [2, 3], undefined);
    assert.equal(perTensor.scales.length, 1);
    assert.deepEqual(Array.from(perTensor.data), [64, -127, 32, 6, 13, -25]);
  });

  test('int32 bias with scale = input scale x weight scale', () => {
    const q = quantizeBias(new Float32Array([1, -0.5]), 0.1, new Float32Array([0.02, 0.05]));
    close(q.scales[0], 0.002);
    close(q.scales[1], 0.005);
    assert.deepEqual(Array.from(q.data), [500, -100]);
    const shared = quantizeBias(new Float32Array([1, 1]), 0.5, new Float32Array([0.25]));
    assert.deepEqual(Array.from(shared.data), [8, 8]);
  });

  test('percentile and entropy clip a rare outlier that minmax keeps', () => {
    const values = new Float32Array(100_000);
    let seed = 1;
    for (let i = 0; i < values.length; i++) {
      seed = (seed * 16807) % 2147483647;
      values[i] = (seed / 2147483647) * 2 - 1;
    }
    values[0] = 50;
    const stats: TensorStats = { min: Infinity, max: -Infinity };
    updateMinMax(stats, values);
    updateHistogram(stats, values);
    assert.deepEqual(rangeOf(stats, 'minmax'), [stats.min, 50]);
    const [, pHi] = rangeOf(stats, 'percentile', 99.99);
    assert.ok(pHi < 2, `percentile kept the outlier: ${pHi}`);
    const [eLo, eHi] = rangeOf(stats, 'entropy');
    assert.ok(eHi < 5 && eHi > 0.5 && eLo < -0.5, `entropy range ${eLo}..${eHi}`);
  });
});
