import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { readFile } from 'node:fs/promises';
import type { InputSource } from '../../benchmark/inputs';
import { measure } from '../../benchmark/runner';
import { BlobsService } from '../../blobs/blobs.service';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { JobName, type JobPayloads } from '../../jobs/job-catalogue';
import type { JobFailure } from '../../jobs/job-failure';
import type { JobProcessor } from '../../jobs/job-processor';
import { describeModel } from '../../onnx/describe';
import { ResultsRepository } from '../results.repository';
import { StudyDatasets } from '../study-datasets';
import { StudyJobs, isCancellation } from '../study-jobs';

type Payload = JobPayloads['bench-variant'];
const SAMPLE_INPUTS = 16;

/** Measures a variant (or a partition's head or tail) on one tier, in the runner, inside the tier's envelope. */
@Injectable()
export class BenchProcessor implements JobProcessor<typeof JobName.BenchVariant> {
  readonly handles = [JobName.BenchVariant] as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly results: ResultsRepository,
    private readonly blobs: BlobsService,
    private readonly datasets: StudyDatasets,
    private readonly jobs: StudyJobs,
  ) {}

  async handle(job: Job<Payload>): Promise<void> {
    const { studyId, variantId, tier, part } = job.data;
    const target = await this.jobs.builtTarget(studyId, variantId);
    if (!target) return;
    const { study, variant } = target;
    const report = variant.report ?? {};
    const modelSha = part === 'tail' ? String(report.tailSha) : variant.blobSha;
    const modelPath = this.blobs.pathOf(modelSha);
    const opened = part !== 'tail' && study.datasetId ? await this.datasets.open(study.teamId, study.datasetId) : undefined;
    const watch = this.jobs.watchCancellation(studyId);
    try {
      let inputs: InputSource;
      if (part === 'tail') inputs = { kind: 'samples', path: this.blobs.pathOf(String(report.tailSamplesSha)), fill: "the head's outputs" };
      else if (opened)
        inputs = {
          kind: 'samples',
          path: await opened.samplesFile(SAMPLE_INPUTS, describeModel(await readFile(modelPath)).inputs),
          fill: 'dataset',
        };
      // The study's input spec; a symbolic dim it leaves open fails the job with INPUT_SPEC_REQUIRED (never 1).
      else inputs = { kind: 'synthetic', spec: study.inputs ?? undefined };
      const result = await measure({
        modelPath,
        // The profile fixed when the study was created (a team tier exists only there); older studies by name.
        tier: study.tierProfiles?.[tier] ?? tier,
        inputs,
        warmup: study.effort.warmup,
        runs: study.effort.timeBudgetMs ? undefined : study.effort.runs,
        budgetMs: study.effort.timeBudgetMs,
        timeoutMs: this.config.MEASURE_TIMEOUT_MS,
        signal: watch.signal,
      });
      await this.results.saveMeasurement(studyId, {
        variantId,
        tier,
        part,
        cut: part === 'whole' ? null : String(report.cut ?? ''),
        method: result.envelope.method,
        slowdown: result.envelope.slowdown,
        p50Ms: result.p50,
        p90Ms: result.p90,
        p99Ms: result.p99,
        meanMs: result.mean,
        stdMs: result.std,
        p50CiLowMs: result.p50CI.low,
        p50CiHighMs: result.p50CI.high,
        coldStartMs: result.coldStartMs,
        peakRssBytes: result.peakRssMB * 1024 * 1024,
        checksum: result.checksum,
        envelope: {
          ...result.envelope,
          raw: result.raw,
          coldStartScaledMs: result.coldStartScaledMs,
          host: result.host,
          warnings: result.warnings,
          wallMs: result.wallMs,
          interference: result.interference ?? null,
        },
        samplesMs: result.samples.scaledMs,
        samplesRawMs: result.samples.rawMs,
        inputShapes: result.inputRecord,
      });
    } catch (error) {
      if (isCancellation(error)) return;
      throw error;
    } finally {
      watch.stop();
      await opened?.close();
    }
    await this.jobs.finished(studyId);
  }

  async onFinalFailure(job: Job<Payload>, failure: JobFailure): Promise<void> {
    await this.jobs.failed(
      job.data.studyId,
      { job: `bench ${job.data.part}`, variantId: job.data.variantId, tier: job.data.tier },
      failure,
    );
  }
}
