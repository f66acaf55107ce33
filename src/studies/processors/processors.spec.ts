import { StudyRequests } from '../advise/study-requests';
import { RecommendationVerifier } from '../advise/verify-recommendation';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'bullmq';
import type { BlobsService } from '../../blobs/blobs.service';
import type { AppConfig } from '../../config/env';
import type { JobNameValue, JobPayloads } from '../../jobs/job-catalogue';
import { FinalJobError } from '../../jobs/job-failure';
import type { QueuesService } from '../../jobs/queues.service';
import type { ModelsRepository } from '../../models/models.repository';
import type { WebhooksService } from '../../webhooks/webhooks.service';
import type { ResultsRepository } from '../results.repository';
import type { StudiesRepository } from '../studies.repository';
import type { StudyDatasets } from '../study-datasets';
import type { StudyEvents } from '../study-events';
import { StudyFlow } from '../study-flow';
import { StudyJobs } from '../study-jobs';
import { StudyOutcome } from '../study-outcome';
import type { StudyStatus } from '../study-status';
import type { VariantsRepository } from '../variants.repository';
import { FakeEvents, FakeQueues, FakeStudies, FakeVariants, FakeWebhooks, aStudy, aVariant, as, quietLogs } from '../testing/fakes';
import { AdviseProcessor } from './advise.processor';
import { BenchProcessor } from './bench.processor';
import { BuildProcessor } from './build.processor';
import { EvaluateProcessor } from './evaluate.processor';
import { PhaseProcessor } from './phase.processor';

quietLogs();

const job = <N extends JobNameValue>(name: N, data: JobPayloads[N]) =>
  ({ id: `${name}-1`, name, data, opts: { attempts: 3 }, attemptsMade: 1 }) as unknown as Job<JobPayloads[N]>;

/** Results the processors would write; none of these paths may reach them. */
class RecordingResults {
  readonly writes: string[] = [];
  async saveMeasurement(): Promise<void> {
    this.writes.push('measurement');
  }
  async saveAccuracy(): Promise<void> {
    this.writes.push('accuracy');
  }
  async replaceRecommendations(): Promise<void> {
    this.writes.push('recommendations');
  }
  async measurements(): Promise<never[]> {
    return [];
  }
  async accuracy(): Promise<never[]> {
    return [];
  }
}

function setUp(
  status: StudyStatus = 'building',
  models: Record<string, object> = { 'model-1': { id: 'model-1', name: 'resnet', inputs: [], outputs: [] } },
) {
  const studies = new FakeStudies(aStudy({ status, phase: 'build', jobsTotal: 4, variantIds: ['v-base', 'v-sptq', 'v-orphan'] }));
  const variants = new FakeVariants(
    aVariant({ id: 'v-base' }),
    aVariant({ id: 'v-sptq', operators: ['sptq'], origin: 'built', parentId: 'v-base', status: 'pending', blobSha: null }),
    aVariant({ id: 'v-orphan', operators: ['prune'], origin: 'built', parentId: 'v-gone', status: 'pending', blobSha: null }),
  );
  const queues = new FakeQueues();
  const events = new FakeEvents();
  const webhooks = new FakeWebhooks();
  const results = new RecordingResults();
  const repo = {
    studies: as<StudiesRepository>(studies),
    variants: as<VariantsRepository>(variants),
    results: as<ResultsRepository>(results),
  };
  const flow = new StudyFlow(as<QueuesService>(queues), repo.studies, repo.variants, as<StudyEvents>(events));
  const jobs = new StudyJobs(repo.studies, repo.variants, flow);
  const outcome = new StudyOutcome(repo.studies, flow, as<WebhooksService>(webhooks));
  const unused = <T>() => as<T>({});
  const config = as<AppConfig>({ BUILD_TIMEOUT_MS: 1000, MEASURE_TIMEOUT_MS: 1000 });
  const modelsRepo = as<ModelsRepository>({ find: async (_team: string, id: string) => models[id] ?? null });
  return {
    studies,
    variants,
    queues,
    webhooks,
    results,
    build: new BuildProcessor(config, repo.studies, repo.variants, unused<BlobsService>(), unused<StudyDatasets>(), jobs),
    bench: new BenchProcessor(config, repo.results, unused<BlobsService>(), unused<StudyDatasets>(), jobs),
    evaluate: new EvaluateProcessor(repo.variants, repo.results, unused<BlobsService>(), unused<StudyDatasets>(), jobs, modelsRepo),
    phase: new PhaseProcessor(flow, outcome),
    advise: new AdviseProcessor(
      repo.studies,
      repo.variants,
      repo.results,
      modelsRepo,
      outcome,
      new RecommendationVerifier(unused<BlobsService>(), new StudyRequests(unused<StudyDatasets>())),
      new StudyRequests(unused<StudyDatasets>()),
    ),
  };
}

const isFinal = (code: string, message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof FinalJobError, `a FinalJobError, got ${String(error)}`);
  assert.equal(error.failure.code, code);
  assert.equal(error.failure.retryable, false);
  if (message) assert.match(error.failure.message, message);
  return true;
};

describe('BuildProcessor', () => {
  test('a cancelled study builds nothing and counts nothing', async () => {
    const s = setUp('cancelled');
    await s.build.handle(job('build-variant', { studyId: 'study-1', variantId: 'v-sptq' }));
    assert.equal(s.variants.rows.get('v-sptq')!.status, 'pending');
    assert.equal(s.studies.row('study-1').jobsDone, 0);
  });

  test('a variant already built counts as done without a child run', async () => {
    const s = setUp();
    await s.build.handle(job('build-variant', { studyId: 'study-1', variantId: 'v-base' }));
    assert.equal(s.studies.row('study-1').jobsDone, 1);
  });

  test('a missing variant or an unbuilt parent is a final failure, never retried', async () => {
    const s = setUp();
    await assert.rejects(
      s.build.handle(job('build-variant', { studyId: 'study-1', variantId: 'v-none' })),
      isFinal('JOB_FAILED', /variant v-none is gone/),
    );
    await assert.rejects(
      s.build.handle(job('build-variant', { studyId: 'study-1', variantId: 'v-orphan' })),
      isFinal('JOB_FAILED', /parent variant v-gone is not built \(missing\)/),
    );
    assert.equal(s.variants.rows.get('v-orphan')!.status, 'pending');
  });

  test("a chained variant whose parent was refused is PARENT_NOT_BUILT, naming the parent's failure", async () => {
    const s = setUp();
    s.variants.rows.set(
      'v-refused',
      aVariant({
        id: 'v-refused',
        operators: ['sptq'],
        origin: 'built',
        parentId: 'v-base',
        status: 'failed',
        blobSha: null,
        error: 'ENGINE_OUTPUT_DISAGREES: cosine 0.93',
      }),
    );
    s.variants.rows.set(
      'v-chained',
      aVariant({
        id: 'v-chained',
        operators: ['sptq', 'partition'],
        origin: 'built',
        parentId: 'v-refused',
        status: 'pending',
        blobSha: null,
      }),
    );
    await assert.rejects(
      s.build.handle(job('build-variant', { studyId: 'study-1', variantId: 'v-chained' })),
      isFinal('PARENT_NOT_BUILT', /parent variant v-refused is not built \(ENGINE_OUTPUT_DISAGREES: cosine 0\.93\)/),
    );
  });

  test('the final failure marks the variant failed with its code and records it on the study', async () => {
    const s = setUp();
    await s.build.onFinalFailure(job('build-variant', { studyId: 'study-1', variantId: 'v-sptq' }), {
      code: 'CALIBRATION_INVALID',
      message: 'no samples',
      retryable: false,
    });
    assert.deepEqual(
      [s.variants.rows.get('v-sptq')!.status, s.variants.rows.get('v-sptq')!.error],
      ['failed', 'CALIBRATION_INVALID: no samples'],
    );
    const [failure] = s.studies.row('study-1').failures;
    assert.deepEqual(
      [failure.job, failure.variantId, failure.code, failure.message],
      ['build', 'v-sptq', 'CALIBRATION_INVALID', 'no samples'],
    );
    assert.equal(s.studies.row('study-1').jobsDone, 1);
  });
});

describe('BenchProcessor and EvaluateProcessor', () => {
  test('a study that ended measures and evaluates nothing', async () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const s = setUp(status);
      await s.bench.handle(job('bench-variant', { studyId: 'study-1', variantId: 'v-base', tier: 'mobile', part: 'whole' }));
      await s.evaluate.handle(job('evaluate-variant', { studyId: 'study-1', variantId: 'v-base' }));
      assert.deepEqual(s.results.writes, [], status);
      assert.equal(s.studies.row('study-1').jobsDone, 0);
    }
  });

  test('a variant that was never built is a final VARIANT_NOT_BUILT', async () => {
    const s = setUp('benchmarking');
    await assert.rejects(
      s.bench.handle(job('bench-variant', { studyId: 'study-1', variantId: 'v-sptq', tier: 'edge', part: 'whole' })),
      isFinal('VARIANT_NOT_BUILT'),
    );
    await assert.rejects(
      s.evaluate.handle(job('evaluate-variant', { studyId: 'study-1', variantId: 'v-sptq' })),
      isFinal('VARIANT_NOT_BUILT'),
    );
  });

  test('their final failures say which job, variant and tier failed', async () => {
    const s = setUp('benchmarking');
    await s.bench.onFinalFailure(job('bench-variant', { studyId: 'study-1', variantId: 'v-base', tier: 'mobile', part: 'head' }), {
      code: 'RUNNER_OOM',
      message: 'over 16 MB',
      retryable: false,
    });
    await s.evaluate.onFinalFailure(job('evaluate-variant', { studyId: 'study-1', variantId: 'v-base' }), {
      code: 'RUNNER_CRASHED',
      message: 'exited with code 1',
      retryable: true,
    });
    assert.deepEqual(
      s.studies.row('study-1').failures.map((f) => [f.job, f.variantId, f.tier, f.code]),
      [
        ['bench head', 'v-base', 'mobile', 'RUNNER_OOM'],
        ['evaluate', 'v-base', undefined, 'RUNNER_CRASHED'],
      ],
    );
    assert.equal(s.studies.row('study-1').jobsDone, 2);
  });
});

describe('PhaseProcessor', () => {
  test('a finished phase starts the next one', async () => {
    const s = setUp();
    await s.phase.handle(job('phase-done', { studyId: 'study-1', phase: 'partition' }));
    assert.equal(s.studies.row('study-1').status, 'benchmarking');
    assert.deepEqual(s.queues.flows[0].data, { studyId: 'study-1', phase: 'bench', correlationId: 'cid-1' });
  });

  test('a phase that cannot move on fails the study and says so by webhook', async () => {
    const s = setUp();
    await s.phase.onFinalFailure(job('phase-done', { studyId: 'study-1', phase: 'bench' }), {
      code: 'JOB_FAILED',
      message: 'Connection is closed.',
      retryable: true,
    });
    assert.equal(s.studies.row('study-1').status, 'failed');
    assert.equal(s.studies.row('study-1').error, 'the study could not move past its bench phase: Connection is closed.');
    assert.deepEqual(
      s.webhooks.emitted.map((w) => w.event),
      ['study.failed'],
    );
  });
});

describe('AdviseProcessor', () => {
  test('an ended study is left as it is', async () => {
    const s = setUp('cancelled');
    await s.advise.handle(job('advise-study', { studyId: 'study-1' }));
    assert.deepEqual(s.results.writes, []);
    assert.equal(s.webhooks.emitted.length, 0);
  });

  test('a deleted model is a final MODEL_NOT_FOUND', async () => {
    const s = setUp('ranking', {});
    await assert.rejects(s.advise.handle(job('advise-study', { studyId: 'study-1' })), isFinal('MODEL_NOT_FOUND'));
  });

  test('without a measured baseline the study fails, naming the failures that caused it', async () => {
    const s = setUp('ranking');
    s.studies
      .row('study-1')
      .failures.push({ job: 'bench whole', variantId: 'v-base', tier: 'mobile', code: 'RUNNER_OOM', message: 'over 16 MB', at: 'now' });
    await s.advise.handle(job('advise-study', { studyId: 'study-1' }));
    assert.equal(s.studies.row('study-1').status, 'failed');
    assert.equal(
      s.studies.row('study-1').error,
      'the baseline model could not be measured on any tier (bench whole on mobile: RUNNER_OOM: over 16 MB)',
    );
    assert.deepEqual(s.results.writes, []);
  });

  test('a ranking that fails for good fails the study', async () => {
    const s = setUp('ranking');
    await s.advise.onFinalFailure(job('advise-study', { studyId: 'study-1' }), {
      code: 'SCENARIO_INVALID',
      message: 'unknown scenario',
      retryable: false,
    });
    assert.equal(s.studies.row('study-1').error, 'ranking failed: unknown scenario');
  });
});
