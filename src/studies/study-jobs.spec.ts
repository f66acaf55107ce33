import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TierwiseError } from '../common/errors';
import { FinalJobError } from '../jobs/job-failure';
import type { QueuesService } from '../jobs/queues.service';
import type { StudiesRepository } from './studies.repository';
import type { StudyEvents } from './study-events';
import { StudyFlow } from './study-flow';
import { StudyJobs, isCancellation } from './study-jobs';
import type { StudyStatus } from './study-status';
import type { VariantsRepository } from './variants.repository';
import { quietLogs, FakeEvents, FakeQueues, FakeStudies, FakeVariants, aStudy, aVariant, as } from './testing/fakes';

quietLogs();

function setUp(status: StudyStatus = 'benchmarking') {
  const studies = new FakeStudies(aStudy({ status, phase: 'bench', jobsTotal: 4, variantIds: ['v-ready', 'v-pending'] }));
  const variants = new FakeVariants(aVariant({ id: 'v-ready' }), aVariant({ id: 'v-pending', status: 'pending', blobSha: null }));
  const events = new FakeEvents();
  const flow = new StudyFlow(
    as<QueuesService>(new FakeQueues()),
    as<StudiesRepository>(studies),
    as<VariantsRepository>(variants),
    as<StudyEvents>(events),
  );
  return { jobs: new StudyJobs(as<StudiesRepository>(studies), as<VariantsRepository>(variants), flow), studies, events };
}

describe('StudyJobs', () => {
  test('builtTarget: the study and its built variant; nothing once the study ended; a final failure for an unbuilt variant', async () => {
    const { jobs } = setUp();
    const target = await jobs.builtTarget('study-1', 'v-ready');
    assert.equal(target?.variant.blobSha, 'a'.repeat(64));
    assert.equal(target?.study.id, 'study-1');
    await assert.rejects(jobs.builtTarget('study-1', 'v-pending'), (error: unknown) => {
      assert.ok(error instanceof FinalJobError);
      assert.deepEqual(error.failure, { code: 'VARIANT_NOT_BUILT', message: 'variant v-pending is not built', retryable: false });
      return true;
    });
    for (const status of ['completed', 'failed', 'cancelled'] as const)
      assert.equal(await setUp(status).jobs.builtTarget('study-1', 'v-ready'), null);
  });

  test('a failure for good is recorded with its code, counts as a finished job and is announced', async () => {
    const { jobs, studies, events } = setUp();
    await jobs.failed(
      'study-1',
      { job: 'bench whole', variantId: 'v-ready', tier: 'mobile' },
      { code: 'RUNNER_OOM', message: 'x'.repeat(3000), retryable: false },
    );
    const study = studies.row('study-1');
    assert.equal(study.jobsDone, 1);
    assert.equal(study.failures.length, 1);
    const [failure] = study.failures;
    assert.deepEqual(
      { ...failure, message: failure.message.length, at: typeof failure.at },
      { job: 'bench whole', variantId: 'v-ready', tier: 'mobile', code: 'RUNNER_OOM', message: 2000, at: 'string' },
    );
    assert.deepEqual(
      events.published.map((e) => [e.jobsDone, e.progress]),
      [[1, 0.25]],
    );
  });

  test('cancellation: a cancelled or failed study counts as cancelled, and the watch aborts its signal', async () => {
    const { jobs, studies } = setUp();
    assert.equal(await jobs.isCancelled('study-1'), false);
    assert.equal(await jobs.isCancelled('no-such-study'), true);
    const watch = jobs.watchCancellation('study-1', 10);
    try {
      await sleep(40);
      assert.equal(watch.signal.aborted, false);
      studies.row('study-1').status = 'cancelled';
      for (let i = 0; i < 50 && !watch.signal.aborted; i++) await sleep(10);
      assert.equal(watch.signal.aborted, true);
    } finally {
      watch.stop();
    }
    assert.equal(isCancellation(new TierwiseError('CANCELLED', 'the study was cancelled')), true);
    assert.equal(isCancellation(new TierwiseError('RUNNER_OOM', 'no')), false);
  });
});
