import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/env';
import { JobName } from '../src/jobs/job-catalogue';
import { flowJob, toFlowJob } from '../src/jobs/job-flow';
import { QueuesService } from '../src/jobs/queues.service';
import { retention } from '../src/jobs/retention';

describe('BullMQ retention: finished jobs leave Redis', () => {
  const config = loadConfig({
    ...process.env,
    QUEUE_PREFIX: `tw-retention-${randomUUID().slice(0, 8)}`,
    JOBS_KEEP_COMPLETED: '100',
    JOBS_KEEP_FAILED: '100',
  });
  const queues = new QueuesService(config);
  after(() => queues.onModuleDestroy());

  test('every node of a flow carries the retention, and a node may set its own', () => {
    const flow = toFlowJob(
      flowJob(JobName.PhaseDone, { studyId: 's', phase: 'bench' }, { jobId: 'p', removeOnFail: false }, [
        flowJob(JobName.AdviseStudy, { studyId: 's' }),
      ]),
      retention(config),
    );
    assert.deepEqual(flow.opts?.removeOnComplete, { age: 24 * 3600, count: 100 });
    assert.equal(flow.opts?.removeOnFail, false);
    assert.deepEqual(flow.children?.[0].opts?.removeOnFail, { age: 7 * 24 * 3600, count: 100 });
  });

  test('with 130 jobs completed, a queue keeps the newest 100', async () => {
    for (let i = 0; i < 130; i++) await queues.add(JobName.AdviseStudy, { studyId: `s${i}` });
    let done = 0;
    const connection = queues.connection.duplicate({ maxRetriesPerRequest: null });
    const worker = new Worker('advise', async () => ++done, {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: 10,
    });
    while (done < 130) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    await worker.close();
    await connection.quit();
    const counts = await queues.queue('advise').getJobCounts('completed', 'waiting', 'active');
    assert.equal(counts.waiting + counts.active, 0);
    assert.ok(counts.completed <= 100 && counts.completed >= 90, `completed jobs kept: ${counts.completed}`);
    await queues.queue('advise').obliterate({ force: true });
  });
});
