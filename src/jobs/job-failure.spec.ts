import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError } from 'bullmq';
import { TierwiseError } from '../common/errors';
import { FinalJobError, RetryableJobError, UNEXPECTED_FAILURE, classifyFailure, finalFailure, toJobError } from './job-failure';

describe('job-failure policy', () => {
  test('a domain error is final, with its code, message and details carried as data', () => {
    const failure = classifyFailure('build-variant', new TierwiseError('MODEL_CORRUPT', 'not an ONNX file', { offset: 12 }));
    assert.deepEqual(failure, { code: 'MODEL_CORRUPT', message: 'not an ONNX file', retryable: false, details: { offset: 12 } });
  });

  test('runner crashes, timeouts and busy cores are retried on every job', () => {
    for (const job of ['build-variant', 'bench-variant', 'evaluate-variant']) {
      for (const code of ['RUNNER_CRASHED', 'RUNNER_TIMEOUT', 'CORES_BUSY'] as const) {
        assert.equal(classifyFailure(job, new TierwiseError(code, 'x')).retryable, true, `${code} on ${job}`);
      }
    }
  });

  test('out of memory is final for a measurement (the tier is too small) and retried for a build or an evaluation', () => {
    const oom = new TierwiseError('RUNNER_OOM', 'killed by the OOM killer at 1024 MB');
    assert.equal(classifyFailure('bench-variant', oom).retryable, false);
    assert.equal(classifyFailure('build-variant', oom).retryable, true);
    assert.equal(classifyFailure('evaluate-variant', oom).retryable, true);
  });

  test('an unexpected error (a bug, a dropped connection) is retried under the generic code', () => {
    assert.deepEqual(classifyFailure('advise-study', new Error('Connection is closed.')), {
      code: UNEXPECTED_FAILURE,
      message: 'Connection is closed.',
      retryable: true,
    });
    assert.equal(classifyFailure('advise-study', new UnrecoverableError('gone')).retryable, false);
  });

  test('toJobError hands BullMQ an UnrecoverableError exactly when the failure is final, and keeps the failure on it', () => {
    const final = toJobError('bench-variant', new TierwiseError('INPUT_UNSUPPORTED', 'string inputs'));
    assert.ok(final instanceof FinalJobError && final instanceof UnrecoverableError);
    assert.equal(final.failure.code, 'INPUT_UNSUPPORTED');
    assert.equal(final.message, 'INPUT_UNSUPPORTED: string inputs');
    const retry = toJobError('bench-variant', new TierwiseError('RUNNER_TIMEOUT', 'killed after 1000 ms'));
    assert.ok(retry instanceof RetryableJobError && !(retry instanceof UnrecoverableError));
    // The worker's `failed` event sees the wrapped error: reading it back gives the same failure, no parsing.
    assert.deepEqual(classifyFailure('bench-variant', retry), retry.failure);
    const explicit = finalFailure('EVALUATION_UNSCORABLE', 'no labels');
    assert.equal(toJobError('evaluate-variant', explicit), explicit);
    assert.deepEqual(classifyFailure('evaluate-variant', explicit), {
      code: 'EVALUATION_UNSCORABLE',
      message: 'no labels',
      retryable: false,
    });
  });
});
