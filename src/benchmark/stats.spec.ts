import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMedianCI, coefficientOfVariation, mean, quantile, seededRandom, std, summarize } from './stats';

const close = (actual: number, expected: number, eps = 1e-12) => assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≠ ${expected}`);

describe('stats', () => {
  test('type-7 quantiles match hand-computed values', () => {
    const x = [5, 1, 4, 2, 3]; // sorted 1..5, h = 4p
    close(quantile(x, 0.5), 3);
    close(quantile(x, 0.9), 4.6); // h = 3.6 → 4 + 0.6·(5 − 4)
    close(quantile(x, 0.25), 2);
    close(quantile([1, 2, 3, 4], 0.5), 2.5);
    close(quantile([10, 20], 0.99), 19.9); // h = 0.99
    close(quantile([7], 0.9), 7);
    assert.throws(() => quantile([], 0.5), RangeError);
  });

  test('mean, sample std and coefficient of variation', () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9]; // mean 5, Σ(x−m)² = 32, sample var 32/7
    close(mean(x), 5);
    close(std(x), Math.sqrt(32 / 7));
    close(coefficientOfVariation(x), Math.sqrt(32 / 7) / 5);
    assert.equal(std([3]), 0);
  });

  test('summary fields agree with the single functions', () => {
    const s = summarize([3, 1, 2, 10]);
    assert.deepEqual([s.n, s.min, s.max], [4, 1, 10]);
    close(s.p50, 2.5);
    close(s.p99, 3 + 0.97 * 7); // h = 2.97
    close(s.mean, 4);
  });

  test('the bootstrap CI of the median is repeatable for a seed and brackets the median', () => {
    const random = seededRandom(1);
    const x = Array.from({ length: 200 }, () => 10 + random());
    const a = bootstrapMedianCI(x, { seed: 42 });
    const b = bootstrapMedianCI(x, { seed: 42 });
    assert.deepEqual(a, b);
    const m = quantile(x, 0.5);
    assert.ok(a.low <= m && m <= a.high, `${a.low} ≤ ${m} ≤ ${a.high}`);
    assert.ok(a.high - a.low < 0.2);
    const constant = bootstrapMedianCI([4, 4, 4]);
    assert.deepEqual([constant.low, constant.high], [4, 4]);
  });

  test('the seeded generator is deterministic and uniform-looking', () => {
    const r1 = seededRandom(7);
    const r2 = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => r1());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => r2()),
    );
    assert.ok(xs.every((v) => v >= 0 && v < 1));
    close(mean(xs), 0.5, 0.05);
  });
});
