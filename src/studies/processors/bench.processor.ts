import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { readFile } from 'node:fs/promises';
import type { InputSource } from '../../benchmark/inputs';
import { measure, type MeasureRequest } from '../../benchmark/runner';
import { slowdown, slowdownFormula, type TierProfile } from '../../benchmark/tiers';
import { DEFAULT_ADAPTIVE_BUDGET_MS, DEFAULT_TARGET_REL_CI } from '../study-options';
import type { StudyView } from '../study.views';
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
type Effort = StudyView['effort'];

/** The runner's effort settings from the study's: fixed runs, a time budget, or adaptive (interval or budget). */
export function effortRequest(effort: Effort): Pick<MeasureRequest, 'warmup' | 'runs' | 'budgetMs' | 'adaptive'> {
  if (effort.mode === 'adaptive')
    return {
      warmup: effort.warmup,
      budgetMs: effort.timeBudgetMs ?? DEFAULT_ADAPTIVE_BUDGET_MS,
      adaptive: { targetRelCi: effort.targetRelCi ?? DEFAULT_TARGET_REL_CI, maxRuns: effort.maxRuns },
    };
  return { warmup: effort.warmup, runs: effort.timeBudgetMs ? undefined : effort.runs, budgetMs: effort.timeBudgetMs };
}

/** A tier's calibration as recorded next to a native figure: its coreSpeed and the slowdown emulation would apply. */
export function tierCalibration(tier: TierProfile): {
  coreSpeed: number;
  threads: number;
  cpus: number;
  emulatedSlowdown: number;
  formula: string;
} {
  return {
    coreSpeed: tier.coreSpeed,
    threads: tier.threads,
    cpus: tier.cpus,
    emulatedSlowdown: slowdown(tier),
    formula: slowdownFormula(tier),
  };
}
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
      const device = this.config.TIERWISE_DEVICE;
      const result = await measure({
        modelPath,
        // The profile fixed when the study was created (a team tier exists only there); older studies by name.
        tier: study.tierProfiles?.[tier] ?? tier,
        // A device worker runs on the real hardware: nothing is pinned and nothing scaled (slowdown 1).
        method: device ? 'native' : undefined,
        inputs,
        ...effortRequest(study.effort),
        timeoutMs: this.config.MEASURE_TIMEOUT_MS,
        noise: { threshold: this.config.NOISE_THRESHOLD, maxRetakes: this.config.NOISE_MAX_RETAKES, pauseMs: this.config.NOISE_PAUSE_MS },
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
          noise: result.noise,
          // The tier's calibration beside a device's figure: what an emulated worker would have multiplied by.
          ...(device ? { device, calibration: tierCalibration(result.envelope.tier) } : {}),
        },
        noisy: result.noise.noisy,
        foreignCpuShare: result.noise.foreignCpuShare,
        retakes: result.noise.retakes,
        stopReason: result.stopReason,
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
