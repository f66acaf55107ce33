import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../src/common/paths';
import { fixtures } from './support/harness';

const cli = join(repoRoot(), 'dist/src/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'tierwise-cli-engines-'));
const student = fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx');

function tierwise(...args: string[]): { status: number | null; json: any; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    json = undefined;
  }
  return { status: run.status, json, stderr: run.stderr };
}

describe('the engine commands print one JSON object and fail with a code', () => {
  test('quantize --mode static --eval writes an int8 model within the accuracy limit', () => {
    const out = join(work, 'student-int8.onnx');
    const run = tierwise(
      'quantize',
      student,
      '-o',
      out,
      '--mode',
      'static',
      '--calibration',
      fixtures('fashion-resnet/calib-200'),
      '--preprocess',
      fixtures('fashion-resnet/preprocess.json'),
      '--eval',
      fixtures('fashion-resnet/eval-100'),
      '--max-drop',
      '1',
      '--json',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.json.output, out);
    assert.equal(run.json.mode, 'static');
    assert.ok(run.json.nodesQuantized > 0);
    assert.ok(run.json.sizeBytes.after < run.json.sizeBytes.before);
    assert.ok(run.json.accuracy.before - run.json.accuracy.after <= 1);
    assert.ok(Array.isArray(run.json.trials) && run.json.trials.length >= 1);
    assert.ok(existsSync(out));
  });

  test('eval reproduces the fixture accuracy; a mismatched dataset is a DATASET_MISMATCH', () => {
    const run = tierwise(
      'eval',
      student,
      '--dataset',
      fixtures('fashion-resnet/eval-1000'),
      '--preprocess',
      fixtures('fashion-resnet/preprocess.json'),
      '--json',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.json.n, 1000);
    assert.equal(Math.round(run.json.metrics.top1.value * 1000), 934);
    const bad = tierwise('eval', student, '--dataset', fixtures('sentiment-bert/test-100.jsonl'), '--json');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^DATASET_MISMATCH: /m);
  });

  test('bench measures in a tier envelope; a file that is not a model fails cleanly', () => {
    const run = tierwise('bench', student, '--tier', 'mobile', '--runs', '20', '--warmup', '3', '--json');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.json.samples.scaledMs.length, 20);
    assert.equal(
      run.json.envelope.slowdown,
      run.json.envelope.tier.threads / (run.json.envelope.tier.cpus * run.json.envelope.tier.coreSpeed),
    );
    assert.ok(Math.abs(run.json.p50 - run.json.raw.p50 * run.json.envelope.slowdown) < 1e-9);
    const bad = tierwise('bench', fixtures('fashion-resnet/preprocess.json'), '--tier', 'edge', '--json');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^MODEL_UNLOADABLE: /m);
  });
});
