import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../benchmark/stats';
import { groupByLatency, p50Interval } from './grouping';

const random = seededRandom(11);
const around = (ms: number, n = 200) => Float64Array.from({ length: n }, () => ms * (1 + 0.04 * (random() - 0.5)));

describe('noisy figures in the ranking', () => {
  test('a noisy p50 interval is widened downwards by its share, never upwards; network time is not widened', () => {
    const samples = around(10);
    const quiet = p50Interval({ id: 'a', samples });
    const noisy = p50Interval({ id: 'a', samples, noisyShare: 0.3 });
    assert.equal(noisy.high, quiet.high);
    assert.ok(Math.abs(noisy.low - quiet.low * 0.7) < 1e-9);
    const withNetwork = p50Interval({ id: 'a', samples: samples.map((x) => x + 5), noisyShare: 0.3, fixedMs: 5 });
    assert.ok(Math.abs(withNetwork.low - (5 + quiet.low * 0.7)) < 1e-9);
  });

  test('12 ms vs 10 ms: distinct when both are quiet, tied when the slower one was noisy by 30 %, distinct again at 5 %', () => {
    const fast = around(10);
    const slow = around(12);
    assert.deepEqual(
      groupByLatency(
        [
          { id: 'fast', samples: fast },
          { id: 'slow', samples: slow },
        ],
        0.05,
      ).ranks,
      [1, 2],
    );
    assert.deepEqual(
      groupByLatency(
        [
          { id: 'fast', samples: fast },
          { id: 'slow', samples: slow, noisyShare: 0.3 },
        ],
        0.05,
      ).ranks,
      [1, 1],
    );
    assert.deepEqual(
      groupByLatency(
        [
          { id: 'fast', samples: fast },
          { id: 'slow', samples: slow, noisyShare: 0.05 },
        ],
        0.05,
      ).ranks,
      [1, 2],
    );
  });

  test('a noisy leader that is faster anyway stays ahead: noise cannot have made it look faster', () => {
    const fast = around(10);
    const slow = around(12);
    assert.deepEqual(
      groupByLatency(
        [
          { id: 'fast', samples: fast, noisyShare: 0.5 },
          { id: 'slow', samples: slow },
        ],
        0.05,
      ).ranks,
      [1, 2],
    );
  });
});
