import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'bullmq';
import { correlationId } from '../common/correlation';
import { TierwiseError } from '../common/errors';
import type { JobNameValue } from './job-catalogue';
import { attemptOutcome, dispatchJob } from './job-dispatch';
import { FinalJobError, RetryableJobError } from './job-failure';
import type { JobProcessor } from './job-processor';

const aJob = (name: string, data: object, attemptsMade = 1, attempts = 3) =>
  ({ id: '1', name, data, opts: { attempts }, attemptsMade }) as unknown as Job;

function tableThrowing(error: unknown, seen: Array<string | undefined> = []): Map<JobNameValue, JobProcessor> {
  const processor: JobProcessor = {
    handles: ['bench-variant', 'advise-study'],
    handle: async () => {
      seen.push(correlationId());
      if (error) throw error;
    },
  };
  return new Map(processor.handles.map((name) => [name, processor]));
}

const bench = { studyId: 's', variantId: 'v', tier: 'edge', part: 'whole', correlationId: 'cid-7' };

describe('dispatching a job', () => {
  test('runs the handler under the job’s correlation id', async () => {
    const seen: Array<string | undefined> = [];
    await dispatchJob(tableThrowing(undefined, seen), 'bench-edge', aJob('bench-variant', bench));
    assert.deepEqual(seen, ['cid-7']);
  });

  test('a domain error leaves as a final failure on the first attempt; a runner crash is retried until the attempts run out', async () => {
    const domain = await dispatchJob(
      tableThrowing(new TierwiseError('INPUT_UNSUPPORTED', 'string inputs')),
      'bench-edge',
      aJob('bench-variant', bench),
    ).catch((e: unknown) => e);
    assert.ok(domain instanceof FinalJobError);
    assert.deepEqual(attemptOutcome(aJob('bench-variant', bench, 1), domain), { failure: domain.failure, final: true });

    const crash = await dispatchJob(
      tableThrowing(new TierwiseError('RUNNER_CRASHED', 'killed by SIGSEGV')),
      'bench-edge',
      aJob('bench-variant', bench),
    ).catch((e: unknown) => e);
    assert.ok(crash instanceof RetryableJobError);
    assert.equal(attemptOutcome(aJob('bench-variant', bench, 1, 2), crash).final, false);
    assert.deepEqual(attemptOutcome(aJob('bench-variant', bench, 2, 2), crash), {
      failure: { code: 'RUNNER_CRASHED', message: 'killed by SIGSEGV', retryable: true },
      final: true,
    });
  });

  test('a job outside the catalogue, or on another queue than its own, fails for good without running', async () => {
    const seen: Array<string | undefined> = [];
    const table = tableThrowing(undefined, seen);
    await assert.rejects(
      dispatchJob(table, 'advise', aJob('reticulate', {})),
      (e: unknown) => e instanceof FinalJobError && e.failure.code === 'JOB_UNKNOWN',
    );
    await assert.rejects(
      dispatchJob(table, 'bench-mobile', aJob('bench-variant', bench)),
      (e: unknown) =>
        e instanceof FinalJobError &&
        e.failure.code === 'JOB_MISROUTED' &&
        /belongs on queue bench-edge, not bench-mobile/.test(e.failure.message),
    );
    await assert.rejects(
      dispatchJob(table, 'build', aJob('build-variant', { studyId: 's', variantId: 'v' })),
      (e: unknown) => e instanceof FinalJobError && e.failure.code === 'JOB_UNHANDLED',
    );
    assert.deepEqual(seen, []);
  });

  test('a stalled job (BullMQ’s own error, not a handler’s) counts as retryable until its attempts run out', () => {
    const stalled = new Error('job stalled more than allowable limit');
    assert.equal(attemptOutcome(aJob('advise-study', { studyId: 's' }, 1, 3), stalled).final, false);
    assert.equal(attemptOutcome(aJob('advise-study', { studyId: 's' }, 3, 3), stalled).final, true);
  });
});
