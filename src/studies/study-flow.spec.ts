import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueuesService } from '../jobs/queues.service';
import { toFlowJob } from '../jobs/job-flow';
import type { StudiesRepository } from './studies.repository';
import type { StudyEvents } from './study-events';
import { StudyFlow } from './study-flow';
import type { VariantsRepository } from './variants.repository';
import { quietLogs, FakeEvents, FakeQueues, FakeStudies, FakeVariants, aStudy, aVariant, as } from './testing/fakes';

quietLogs();

function setUp(overrides: Parameters<typeof aStudy>[0] = {}) {
  const variants = new FakeVariants(
    aVariant({ id: 'v-base' }),
    aVariant({ id: 'v-sptq', operators: ['sptq'], origin: 'built', parentId: 'v-base', status: 'pending', blobSha: null }),
    aVariant({
      id: 'v-cut',
      operators: ['identity', 'partition'],
      origin: 'built',
      parentId: 'v-base',
      status: 'pending',
      blobSha: null,
      params: { from: 'mobile', to: 'edge' },
    }),
    aVariant({ id: 'v-broken', operators: ['prune'], origin: 'built', status: 'failed', blobSha: null }),
  );
  const studies = new FakeStudies(
    aStudy({
      datasetId: 'ds-1',
      scenarios: ['mobile', 'edge', 'mobile|edge'],
      variantIds: ['v-base', 'v-sptq', 'v-cut', 'v-broken'],
      ...overrides,
    }),
  );
  const queues = new FakeQueues();
  const events = new FakeEvents();
  const flow = new StudyFlow(
    as<QueuesService>(queues),
    as<StudiesRepository>(studies),
    as<VariantsRepository>(variants),
    as<StudyEvents>(events),
  );
  return { flow, studies, variants, queues, events };
}

describe('StudyFlow', () => {
  test('starting a study enqueues its build phase as one flow and counts every job the study will run', async () => {
    const { flow, studies, queues, events } = setUp();
    await flow.start('study-1');
    const study = studies.row('study-1');
    assert.equal(study.status, 'building');
    assert.equal(study.phase, 'build');
    // build 1 (sptq) + partition 1 + bench 6 (2 device tiers × 2 variants, head and tail of the cut) + evaluate 2 + advise 1
    assert.equal(study.jobsTotal, 11);
    assert.equal(queues.flows.length, 1);
    const [parent] = queues.flows;
    assert.equal(parent.name, 'phase-done');
    assert.deepEqual(parent.data, { studyId: 'study-1', phase: 'build', correlationId: 'cid-1' });
    assert.equal(parent.opts?.jobId, 'study-1_build_done');
    assert.deepEqual(
      parent.children?.map((c) => [c.name, c.data, c.opts?.jobId, c.opts?.ignoreDependencyOnFailure]),
      [['build-variant', { studyId: 'study-1', variantId: 'v-sptq', correlationId: 'cid-1' }, 'study-1_build_v-sptq', true]],
    );
    assert.equal(toFlowJob(parent).children?.[0].queueName, 'build');
    assert.deepEqual(
      events.published.map((e) => [e.status, e.phase, e.jobsTotal]),
      [['building', 'build', 11]],
    );
  });

  test('each phase done starts the next: partitions, then bench on each tier’s queue, evaluation, and advice', async () => {
    const { flow, studies, queues } = setUp();
    await flow.start('study-1');
    await flow.phaseDone('study-1', 'build');
    assert.deepEqual(
      queues.flows[1].children?.map((c) => c.data),
      [{ studyId: 'study-1', variantId: 'v-cut', correlationId: 'cid-1' }],
    );

    await flow.phaseDone('study-1', 'partition');
    assert.equal(studies.row('study-1').status, 'benchmarking');
    const bench = toFlowJob(queues.flows[2]);
    assert.deepEqual(
      bench.children?.map((c) => `${c.queueName} ${c.data.variantId} ${c.data.part} attempts=${c.opts?.attempts}`),
      [
        'bench-mobile v-base whole attempts=2',
        'bench-edge v-base whole attempts=2',
        'bench-mobile v-sptq whole attempts=2',
        'bench-edge v-sptq whole attempts=2',
        'bench-mobile v-cut head attempts=2',
        'bench-edge v-cut tail attempts=2',
      ],
    );

    await flow.phaseDone('study-1', 'bench');
    assert.equal(studies.row('study-1').status, 'evaluating');
    assert.deepEqual(
      toFlowJob(queues.flows[3]).children?.map((c) => `${c.queueName} ${c.data.variantId}`),
      ['evaluate v-base', 'evaluate v-sptq'],
    );

    await flow.phaseDone('study-1', 'evaluate');
    assert.equal(studies.row('study-1').status, 'ranking');
    assert.deepEqual(
      queues.added.map((a) => [a.name, a.data, a.opts?.jobId, a.opts?.attempts]),
      [['advise-study', { studyId: 'study-1', correlationId: 'cid-1' }, 'study-1_advise', 3]],
    );
    assert.equal(queues.flows.length, 4);
  });

  test('a phase with nothing to do moves straight on (no dataset: no evaluation)', async () => {
    const { flow, studies, queues } = setUp({ datasetId: null });
    await flow.startPhase('study-1', 'evaluate');
    assert.equal(studies.row('study-1').phase, 'advise');
    assert.equal(queues.flows.length, 0);
    assert.deepEqual(
      queues.added.map((a) => a.name),
      ['advise-study'],
    );
  });

  test('an ended study starts nothing, and a resumed phase re-enqueues the same job ids without moving the study', async () => {
    const cancelled = setUp({ status: 'cancelled' });
    await cancelled.flow.start('study-1');
    assert.equal(cancelled.queues.flows.length + cancelled.queues.added.length, 0);
    assert.equal(cancelled.events.published.length, 0);

    const { flow, studies, queues } = setUp({ status: 'benchmarking', phase: 'bench', jobsDone: 2, jobsTotal: 11 });
    await flow.startPhase('study-1', 'bench', true);
    assert.equal(studies.row('study-1').jobsTotal, 11);
    assert.equal(queues.flows[0].opts?.jobId, 'study-1_bench_done');
    assert.equal(queues.flows[0].children?.length, 6);
  });

  test('phaseState reads the phase’s parent job (or the advise job) from the advise queue', async () => {
    const { flow, queues } = setUp();
    assert.equal(await flow.phaseState('study-1', 'bench'), 'missing');
    queues.store('advise', 'study-1_bench_done', false);
    assert.equal(await flow.phaseState('study-1', 'bench'), 'pending');
    queues.store('advise', 'study-1_bench_done', true);
    assert.equal(await flow.phaseState('study-1', 'bench'), 'completed');
    queues.store('advise', 'study-1_advise', true);
    assert.equal(await flow.phaseState('study-1', 'advise'), 'completed');
  });
});
