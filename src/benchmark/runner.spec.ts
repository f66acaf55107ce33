import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../common/paths';
import { TierwiseError } from '../common/errors';
import { detectCapabilities } from '../isolation/cgroups';
import { serializeSample } from './inputs';
import { measure, type MeasureRequest } from './runner';
import { quantile } from './stats';

const fixture = (path: string) => join(repoRoot(), 'test/fixtures', path);
const image = fixture('fashion-resnet/models/fashion-resnet-distilled.onnx');
const text = fixture('sentiment-bert/models/sentiment-bert-distilled.onnx');
const caps = detectCapabilities();
const quick: Partial<MeasureRequest> = { runs: 15, warmup: 2, timeoutMs: 60_000 };
const scratch = mkdtempSync(join(tmpdir(), 'tierwise-runner-spec-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TierwiseError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TierwiseError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('measure (the runner)', () => {
  test('image fixture on mobile: samples, consistent statistics, tier scaling, stable checksum, pinning', async () => {
    const a = await measure({ ...quick, modelPath: image, tier: 'mobile' });
    const b = await measure({ ...quick, modelPath: image, tier: 'mobile' });
    assert.equal(a.samples.rawMs.length, 15);
    assert.equal(a.envelope.slowdown, 1 / (a.envelope.tier.cpus * a.envelope.tier.coreSpeed));
    a.samples.rawMs.forEach((raw, i) => assert.equal(a.samples.scaledMs[i], raw * a.envelope.slowdown));
    assert.equal(a.p50, quantile(a.samples.scaledMs, 0.5));
    assert.equal(a.raw.p50, quantile(a.samples.rawMs, 0.5));
    assert.ok(a.min <= a.p50 && a.p50 <= a.p90 && a.p90 <= a.p99 && a.p99 <= a.max);
    assert.ok(a.p50CI.low <= a.p50 && a.p50 <= a.p50CI.high);
    assert.ok(a.coldStartMs > a.raw.p50, 'cold start includes session creation');
    assert.ok(a.peakRssMB > 10);
    assert.match(a.checksum, /^[0-9a-f]{64}$/);
    assert.equal(a.checksum, b.checksum);
    assert.deepEqual(a.inputShapes, { input: [1, 1, 32, 32] });
    if (caps.taskset) {
      assert.equal(a.envelope.method, 'scaled');
      assert.equal(a.host.childCpusAllowed, a.envelope.cores!.join(','));
    } else assert.ok(a.warnings.some((w) => /not pinned|taskset/.test(w)));
  });

  test('dataset samples (int64 token ids, base64) cycle through runs and give a stable checksum', async () => {
    const tokens = JSON.parse(readFileSync(fixture('sentiment-bert/test-100.tokens.json'), 'utf8')) as {
      input_ids: number[][];
      attention_mask: number[][];
    };
    const samples = [0, 1, 2].map((i) =>
      serializeSample(`s${i}`, {
        input_ids: { type: 'int64', dims: [1, 128], data: BigInt64Array.from(tokens.input_ids[i]!, BigInt) },
        attention_mask: { type: 'int64', dims: [1, 128], data: BigInt64Array.from(tokens.attention_mask[i]!, BigInt) },
      }),
    );
    const path = join(scratch, 'samples.json');
    writeFileSync(path, JSON.stringify({ samples }));
    const request: MeasureRequest = { ...quick, runs: 6, modelPath: text, tier: 'edge', inputs: { kind: 'samples', path } };
    const a = await measure(request);
    const b = await measure(request);
    assert.equal(a.distinctInputs, 3);
    assert.equal(a.checksumInputs, 3);
    assert.equal(a.checksum, b.checksum);
    const other = await measure({ ...request, inputs: { kind: 'synthetic' } });
    assert.notEqual(other.checksum, a.checksum);
  });

  test('a time budget with a run cap: a fast model stops at the cap; a spent budget at 3 runs and 1 warm-up', async () => {
    const capped = await measure({ modelPath: image, tier: 'edge', warmup: 1, budgetMs: 60_000, maxRuns: 7 });
    assert.equal(capped.samples.rawMs.length, 7);
    assert.equal(capped.stopReason, 'max-runs');
    const spent = await measure({ modelPath: image, tier: 'edge', warmup: 1000, budgetMs: 0.001, maxRuns: 1000 });
    assert.equal(spent.samples.rawMs.length, 3);
    assert.equal(spent.stopReason, 'budget');
    assert.equal(spent.warmup, 1, 'the warm-up stops after a quarter of the budget, at least one run');
    assert.equal(capped.warmup, 1);
  });

  test('per-node profile: kernel times by node, scaled like the samples', async () => {
    const r = await measure({ ...quick, runs: 5, modelPath: image, tier: 'mobile', profile: { runs: 5 } });
    assert.ok(r.nodeTimes && r.nodeTimes.length > 3);
    assert.ok(r.nodeTimes.some((n) => n.opType === 'Conv'));
    const total = r.nodeTimes.reduce((sum, n) => sum + n.meanMs, 0);
    assert.ok(total > 0 && total < r.raw.max * 3, `node total ${total} vs run ${r.raw.max}`);
    for (const n of r.nodeTimes) assert.equal(n.scaledMeanMs, n.meanMs * r.envelope.slowdown);
  });

  test('a model whose intermediates exceed the tier memory: RUNNER_OOM, and this process lives on', async () => {
    const error = await rejectsWith(
      measure({
        ...quick,
        runs: 2,
        modelPath: fixture('fashion-resnet/models/fashion-resnet-identity.onnx'),
        tier: 'edge',
        tierOverride: { memoryMB: 180 },
        inputs: { kind: 'synthetic', shapes: { input: [512, 1, 32, 32] } },
      }),
      'RUNNER_OOM',
    );
    assert.ok(typeof error.details?.stderrTail === 'string');
    const after = await measure({ ...quick, runs: 3, modelPath: image, tier: 'edge', tierOverride: { memoryMB: 180 } });
    assert.equal(after.samples.rawMs.length, 3);
  });

  test('a measurement that outlives its timeout: RUNNER_TIMEOUT', async () => {
    await rejectsWith(measure({ modelPath: image, tier: 'edge', runs: 10_000_000, warmup: 0, timeoutMs: 1500 }), 'RUNNER_TIMEOUT');
  });

  test('a file that is not a model: MODEL_UNLOADABLE from the child', async () => {
    const path = join(scratch, 'bad.onnx');
    writeFileSync(path, 'not a model');
    await rejectsWith(measure({ ...quick, modelPath: path, tier: 'edge' }), 'MODEL_UNLOADABLE');
    await rejectsWith(
      measure({ ...quick, modelPath: image, tier: 'edge', inputs: { kind: 'synthetic', shapes: { nope: [1] } } }),
      'INPUT_SPEC_INVALID',
    );
  });
});
