import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TierwiseError } from '../../common/errors';
import { fixtureModels } from '../testing/fixture-models';
import { searchPartition } from './index';
import { runLimits } from './measure-cut';

const model = fixtureModels().find((p) => p.endsWith('fashion-resnet-distilled.onnx'))!;
const quick = { runs: 8, warmup: 2, profileRuns: 4, maxTensors: 1 };

describe('partition search', () => {
  test('mobile|edge: every cut estimated from profiles + link model, the best measured, error reported', async () => {
    const links = [
      { from: 'mobile', to: 'edge', mbps: 100, rttMs: 1 },
      { from: 'edge', to: 'cloud', mbps: 1, rttMs: 0 },
    ];
    const result = await searchPartition(model, { ...quick, from: 'mobile', to: 'edge', links, topK: 1 });
    assert.ok(result.candidates.length >= 8);
    result.candidates.slice(1).forEach((c, i) => assert.ok(c.e2eMs >= result.candidates[i].e2eMs));
    for (const c of result.candidates) {
      const cutMs = 0.5 + ((c.transferBytes * 8) / 100e6) * 1e3;
      const responseMs = 0.5 + ((result.route.responseBytes * 8) / 100e6) * 1e3;
      assert.ok(
        Math.abs(c.networkMs - cutMs - responseMs) < 1e-9,
        `${c.id}: request starts on mobile, so only cut + response travel, one exchange: the 1 ms RTT once`,
      );
      assert.ok(c.headMs >= 0 && c.tailMs >= 0 && c.headMs <= result.profiles[0].p50Ms + 1e-9);
    }
    assert.equal(result.route.responseBytes, 10 * 4);
    assert.equal(result.measured.length, 1);
    assert.equal(result.measured[0].id, result.candidates[0].id);
    assert.ok(result.measured[0].headMs > 0 && result.measured[0].tailMs > 0);
    assert.ok(Number.isFinite(result.estimateError!.meanAbsPct));
    assert.equal(result.best.basis, 'measured');
    assert.equal(result.measurements, 4);
  });

  test('a tier pair with no link between them is PARTITION_ROUTE_INVALID', async () => {
    await assert.rejects(
      searchPartition(model, { ...quick, from: 'mobile', to: 'mars', topK: 0 }),
      (e: unknown) => e instanceof TierwiseError && e.code === 'PARTITION_ROUTE_INVALID' && e.message.includes('mars'),
    );
  });

  test('under a time budget (a study with adaptive effort): runs capped by it, and the search still measures its best cut', async () => {
    assert.deepEqual(runLimits({ runs: 30 }), { runs: 30, timeoutMs: 120_000 });
    assert.deepEqual(runLimits({ runs: 30, budgetMs: 20_000 }), { budgetMs: 20_000, maxRuns: 30, timeoutMs: 320_000 });
    const result = await searchPartition(model, { ...quick, budgetMs: 1, from: 'mobile', to: 'edge', topK: 1 });
    assert.equal(result.measured.length, 1);
    assert.equal(result.best.basis, 'measured');
    assert.ok(result.measured[0]!.headMs > 0 && result.measured[0]!.tailMs > 0);
  });
});
