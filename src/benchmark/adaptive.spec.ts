import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../common/paths';
import { TierwiseError } from '../common/errors';
import { medianRelHalfWidth, shouldCheck } from './adaptive';
import { measure } from './runner';
import { seededRandom } from './stats';

const model = join(repoRoot(), 'test/fixtures/fashion-resnet/models/fashion-resnet-distilled.onnx');

describe('adaptive effort', () => {
  test('the order-statistic interval of the median narrows as 1/√n and is 0 for constant samples', () => {
    const random = seededRandom(7);
    const draw = (n: number) => Array.from({ length: n }, () => 10 + random());
    const w100 = medianRelHalfWidth(draw(100));
    const w1600 = medianRelHalfWidth(draw(1600));
    assert.ok(w1600 < w100 / 2.5 && w1600 > w100 / 6, `${w100} → ${w1600}`);
    assert.equal(medianRelHalfWidth([5, 5, 5, 5, 5]), 0);
    assert.equal(medianRelHalfWidth([1, 2]), Infinity);
    assert.ok(shouldCheck(10, 10) && !shouldCheck(9, 10));
  });

  test('runs stop once the p50 interval is narrow enough, or at the budget, and say which', async () => {
    const loose = await measure({ modelPath: model, tier: 'mobile', warmup: 3, budgetMs: 20_000, adaptive: { targetRelCi: 0.2 } });
    assert.equal(loose.stopReason, 'ci-reached');
    assert.ok(loose.n >= 10 && loose.n < 200, `stopped after ${loose.n} runs`);
    const tight = await measure({ modelPath: model, tier: 'mobile', warmup: 3, budgetMs: 400, adaptive: { targetRelCi: 0.0001 } });
    assert.equal(tight.stopReason, 'budget');
    const capped = await measure({
      modelPath: model,
      tier: 'mobile',
      warmup: 1,
      budgetMs: 60_000,
      adaptive: { targetRelCi: 0.0001, maxRuns: 12 },
    });
    assert.equal(capped.stopReason, 'max-runs');
    assert.equal(capped.n, 12);
    const fixed = await measure({ modelPath: model, tier: 'mobile', warmup: 1, runs: 5 });
    assert.equal(fixed.stopReason, 'fixed');
  });

  test('bad adaptive options are MEASURE_INVALID', async () => {
    for (const request of [
      { adaptive: { targetRelCi: 0 }, budgetMs: 100 },
      { adaptive: { targetRelCi: 0.02 } },
      { adaptive: { targetRelCi: 0.02 }, budgetMs: 100, runs: 10 },
      { adaptive: { targetRelCi: 0.02, maxRuns: 5, minRuns: 10 }, budgetMs: 100 },
    ]) {
      await assert.rejects(
        measure({ modelPath: model, tier: 'mobile', ...request }),
        (e: unknown) => e instanceof TierwiseError && e.code === 'MEASURE_INVALID',
      );
    }
  });
});
