import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOBS, JobName, QueueName, benchQueue, checkCatalogue, isKnownQueue, queueOf } from './job-catalogue';
import { flowJob, toFlowJob } from './job-flow';
import { handlerTable, type JobProcessor } from './job-processor';

const processor = (name: string, handles: string[]): JobProcessor =>
  Object.assign(Object.create({ constructor: { name } }), { handles, handle: async () => undefined }) as JobProcessor;

describe('job catalogue', () => {
  test('every job name has exactly one entry, and the start-up check agrees', () => {
    assert.deepEqual(Object.keys(JOBS).sort(), Object.values(JobName).sort());
    assert.doesNotThrow(() => checkCatalogue());
  });

  test('each job runs on the queue the catalogue gives it; bench jobs on their tier’s queue', () => {
    assert.equal(queueOf(JobName.BuildVariant, { studyId: 's', variantId: 'v' }), QueueName.Build);
    assert.equal(queueOf(JobName.BenchVariant, { studyId: 's', variantId: 'v', tier: 'edge', part: 'whole' }), 'bench-edge');
    assert.equal(queueOf(JobName.PhaseDone, { studyId: 's', phase: 'partition' }), QueueName.Advise);
    assert.equal(queueOf(JobName.DeliverWebhook, { deliveryId: 'd' }), QueueName.Webhook);
    assert.ok(isKnownQueue(benchQueue('mobile')) && isKnownQueue('advise'));
    assert.ok(!isKnownQueue('bench-') && !isKnownQueue('adviser'));
  });

  test('a flow takes its queues from the catalogue, children included', () => {
    const flow = toFlowJob(
      flowJob(JobName.PhaseDone, { studyId: 's', phase: 'bench' }, { jobId: 'p' }, [
        flowJob(JobName.BenchVariant, { studyId: 's', variantId: 'v', tier: 'cloud', part: 'tail' }),
      ]),
    );
    assert.equal(flow.queueName, 'advise');
    assert.equal(flow.children?.[0].queueName, 'bench-cloud');
    assert.deepEqual(flow.children?.[0].data, { studyId: 's', variantId: 'v', tier: 'cloud', part: 'tail' });
  });

  test('the handler table refuses a job with no handler, two handlers, or a name outside the catalogue', () => {
    const all = Object.values(JobName);
    assert.equal(handlerTable([processor('All', all)]).size, all.length);
    assert.throws(() => handlerTable([processor('Some', all.slice(1))]), /jobs without a handler: build-variant/);
    assert.throws(() => handlerTable([processor('A', all), processor('B', ['advise-study'])]), /advise-study has two handlers: A and B/);
    assert.throws(
      () => handlerTable([processor('Odd', [...all, 'reticulate'])]),
      /Odd handles reticulate, which is not in the job catalogue/,
    );
  });
});
