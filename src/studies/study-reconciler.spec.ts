import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueuesService } from '../jobs/queues.service';
import type { StudiesRepository } from './studies.repository';
import type { StudyEvents } from './study-events';
import { StudyFlow } from './study-flow';
import { StudyReconciler } from './study-reconciler';
import type { VariantsRepository } from './variants.repository';
import { quietLogs, FakeEvents, FakeQueues, FakeStudies, FakeVariants, aStudy, aVariant, as } from './testing/fakes';

quietLogs();

function setUp() {
  const variants = new FakeVariants(aVariant({ id: 'v-base' }));
  const study = (id: string, overrides: Parameters<typeof aStudy>[0]) => aStudy({ id, variantIds: ['v-base'], ...overrides });
  const studies = new FakeStudies(
    study('never-enqueued', {}),
    study('lost-bench', { status: 'benchmarking', phase: 'bench', jobsTotal: 5 }),
    study('bench-running', { status: 'benchmarking', phase: 'bench', jobsTotal: 5 }),
    study('build-done', { status: 'building', phase: 'build', jobsTotal: 5 }),
    study('ranking-done', { status: 'ranking', phase: 'advise', jobsTotal: 5 }),
    study('finished', { status: 'completed', phase: 'advise' }),
    study('other-prefix', { queuePrefix: 'someone-else' }),
  );
  const queues = new FakeQueues();
  queues.store('advise', 'bench-running_bench_done', false);
  queues.store('advise', 'build-done_build_done', true);
  queues.store('advise', 'ranking-done_advise', true);
  const flow = new StudyFlow(
    as<QueuesService>(queues),
    as<StudiesRepository>(studies),
    as<VariantsRepository>(variants),
    as<StudyEvents>(new FakeEvents()),
  );
  return { reconciler: new StudyReconciler(as<StudiesRepository>(studies), flow, as<QueuesService>(queues)), studies, queues };
}

describe('StudyReconciler', () => {
  test('re-enqueues what Redis lost and moves on a phase whose parent completed; leaves running and finished studies alone', async () => {
    const { reconciler, studies, queues } = setUp();
    assert.equal(await reconciler.reconcile(0), 3);
    // never enqueued: started from its build phase (nothing to build, so straight through to bench)
    assert.equal(studies.row('never-enqueued').phase, 'bench');
    // lost: the same phase again, with the same job ids, and the study not moved
    const lost = queues.flowsOf('lost-bench');
    assert.deepEqual(
      lost.map((f) => f.opts?.jobId),
      ['lost-bench_bench_done'],
    );
    assert.equal(studies.row('lost-bench').jobsTotal, 5);
    // the build phase's parent completed but the next phase never started: it starts now
    assert.equal(studies.row('build-done').phase, 'bench');
    assert.equal(queues.flowsOf('bench-running').length, 0);
    assert.equal(studies.row('ranking-done').status, 'ranking');
    for (const id of ['finished', 'other-prefix', 'ranking-done']) assert.equal(queues.flowsOf(id).length, 0, id);
  });

  test('`only` limits the pass to the studies named', async () => {
    const { reconciler, queues } = setUp();
    assert.equal(await reconciler.reconcile(0, ['lost-bench']), 1);
    assert.equal(queues.flows.length, 1);
    assert.equal(queues.flowsOf('lost-bench').length, 1);
  });
});
