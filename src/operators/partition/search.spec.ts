import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../../common/errors';
import { makeTensor, onnx, saveModel } from '../../onnx';
import { fixtureModels } from '../testing/fixture-models';
import { searchPartition } from './index';
import { runLimits } from './measure-cut';

const model = fixtureModels().find((p) => p.endsWith('fashion-resnet-distilled.onnx'))!;
const quick = { runs: 8, warmup: 2, profileRuns: 4, maxTensors: 1 };

/** x [1, 64] → Relu → a → Mul(a, a) → b → Expand to [1 048 576, 64] (256 MB) → c → ReduceSum → y: small head, a tail too big for a small tier. */
function bigTailModel(dir: string): string {
  const F = onnx.TensorProto.DataType.FLOAT;
  const graph: onnx.IGraphProto = {
    name: 'big-tail',
    input: [{ name: 'x', type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: 1 }, { dimValue: 64 }] } } } }],
    output: [{ name: 'y', type: { tensorType: { elemType: F, shape: { dim: [] } } } }],
    initializer: [makeTensor('shape', [2], BigInt64Array.from([1_048_576n, 64n]))],
    node: [
      { opType: 'Relu', name: 'relu', input: ['x'], output: ['a'] },
      { opType: 'Mul', name: 'square', input: ['a', 'a'], output: ['b'] },
      { opType: 'Expand', name: 'expand', input: ['b', 'shape'], output: ['c'] },
      {
        opType: 'ReduceSum',
        name: 'sum',
        input: ['c'],
        output: ['y'],
        attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      },
    ],
  };
  const path = join(dir, 'big-tail.onnx');
  writeFileSync(path, saveModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', graph }));
  return path;
}

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

  test('the whole model does not fit the head tier: its costs are scaled from the other tier, and a cut that fits is measured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierwise-partition-oom-'));
    try {
      const result = await searchPartition(bigTailModel(dir), {
        ...quick,
        from: 'mobile',
        to: 'edge',
        topK: 1,
        tierOverrides: { mobile: { memoryMB: 200 } },
      });
      assert.deepEqual(
        result.outOfMemory.map((o) => [o.what, o.tier]),
        [['whole', 'mobile']],
      );
      assert.match(result.outOfMemory[0]!.message, /memory limit|out of memory/);
      assert.equal(result.whole.onFromMs, null);
      assert.ok(result.whole.onToMs! > 0);
      const [mobile, edge] = result.profiles;
      assert.deepEqual([mobile!.tier, mobile!.basis, edge!.basis], ['mobile', 'scaled from edge', 'profiled']);
      // mobile runs at half a CPU, edge at one (slowdown 2 against 1): the scaled profile is twice edge's.
      assert.ok(Math.abs(mobile!.p50Ms - 2 * edge!.p50Ms) < 1e-9 * edge!.p50Ms + 1e-12);
      assert.equal(result.measured.length, 1);
      assert.ok(['a', 'b'].includes(result.measured[0]!.id), `a cut before the expansion, got ${result.measured[0]!.id}`);
      assert.equal(result.best.basis, 'measured');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no cut fits the tiers: PARTITION_NO_FIT, naming what ran out of memory where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierwise-partition-oom-'));
    try {
      await assert.rejects(
        searchPartition(bigTailModel(dir), {
          ...quick,
          from: 'mobile',
          to: 'edge',
          topK: 1,
          tierOverrides: { mobile: { memoryMB: 200 }, edge: { memoryMB: 200 } },
        }),
        (e: unknown) =>
          e instanceof TierwiseError &&
          e.code === 'PARTITION_NO_FIT' &&
          /neither mobile nor edge/.test(e.message) &&
          e.message.includes('whole model on mobile'),
      );
      await assert.rejects(
        searchPartition(bigTailModel(dir), { ...quick, from: 'edge', to: 'mobile', topK: 1, tierOverrides: { mobile: { memoryMB: 200 } } }),
        (e: unknown) =>
          e instanceof TierwiseError && e.code === 'PARTITION_NO_FIT' && /cuts tried/.test(e.message) && e.message.includes('edge|mobile'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
