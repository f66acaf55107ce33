import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChildDetailed, type Envelope } from '../../isolation/child-process';
import { withWorkCores } from '../../isolation/work-cores';
import { BlobsService } from '../../blobs/blobs.service';
import { isTierwiseError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { JobName, type JobPayloads } from '../../jobs/job-catalogue';
import { UNEXPECTED_FAILURE, finalFailure, type JobFailure } from '../../jobs/job-failure';
import type { JobProcessor } from '../../jobs/job-processor';
import type { BuildRequest, BuildResult } from '../../operators/build/build-request';
import { childEntry } from '../../isolation/entries';
import { StudiesRepository } from '../studies.repository';
import { DEFAULT_ADAPTIVE_BUDGET_MS } from '../study-options';
import { StudyDatasets } from '../study-datasets';
import { StudyJobs, isCancellation } from '../study-jobs';
import { VariantsRepository, failedAttemptsOf } from '../variants.repository';

type Payload = JobPayloads['build-variant'];

/** Builds one variant (sptq, dynamic int8, pruning, early exit, a partition) in a child process and stores it. */
@Injectable()
export class BuildProcessor implements JobProcessor<typeof JobName.BuildVariant> {
  readonly handles = [JobName.BuildVariant] as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly studies: StudiesRepository,
    private readonly variants: VariantsRepository,
    private readonly blobs: BlobsService,
    private readonly datasets: StudyDatasets,
    private readonly jobs: StudyJobs,
  ) {}

  async handle(job: Job<Payload>): Promise<void> {
    const { studyId, variantId } = job.data;
    if (await this.jobs.isCancelled(studyId)) return;
    const study = (await this.studies.get(studyId))!;
    const variant = await this.variants.get(variantId);
    if (!variant) throw finalFailure(UNEXPECTED_FAILURE, `variant ${variantId} is gone`);
    if (variant.status !== 'ready') {
      const parent = variant.parentId ? await this.variants.get(variant.parentId) : null;
      if (!parent || parent.status !== 'ready' || !parent.blobSha)
        throw finalFailure(
          parent ? 'PARENT_NOT_BUILT' : UNEXPECTED_FAILURE,
          `its parent variant ${variant.parentId} is not built (${parent?.error ?? parent?.status ?? 'missing'})`,
        );
      await this.variants.markBuilding(variantId);
      const outDir = await mkdtemp(join(tmpdir(), 'tierwise-build-'));
      const opened = study.datasetId ? await this.datasets.open(study.teamId, study.datasetId) : undefined;
      const watch = this.jobs.watchCancellation(studyId);
      try {
        const request: BuildRequest = {
          step: { operator: variant.operators[variant.operators.length - 1], params: variant.params },
          parentPath: this.blobs.pathOf(parent.blobSha),
          outDir,
          dataset: opened?.forChild,
          calibrationLimit: 100,
          evalLimit: study.effort.evalLimit ?? 200,
          network: study.network,
          // A partition search measures within the study's time budget (adaptive effort's default when it names none).
          effort: {
            ...study.effort,
            timeBudgetMs: study.effort.timeBudgetMs ?? (study.effort.mode === 'adaptive' ? DEFAULT_ADAPTIVE_BUDGET_MS : undefined),
          },
          ...(study.tierProfiles ? { tierProfiles: study.tierProfiles } : {}),
          // The study's input spec reaches every build: probes, calibration and checks run at its shapes.
          ...(study.inputs ? { inputSpec: study.inputs } : {}),
        };
        const build = (envelope?: Envelope) =>
          runChildDetailed<BuildResult>({
            entry: childEntry('build'),
            input: request,
            timeoutMs: this.config.BUILD_TIMEOUT_MS,
            envelope,
            label: `build ${variant.operators.join('∘')}`,
            signal: watch.signal,
          });
        // A partition build measures head and tail on their tiers itself (each measurement takes its own cores'
        // lock), so it must not hold the work cores' lock a whole-host tier would then wait on forever.
        const run = request.step.operator === 'partition' ? await build() : await withWorkCores(build);
        const result = run.result;
        const model = await this.blobs.put(await readFile(result.modelFile));
        const failedAttempts = failedAttemptsOf(variant.report);
        const report: Record<string, unknown> = {
          ...result.report,
          buildWallMs: run.wallMs,
          ...(failedAttempts.length > 0 ? { failedAttempts } : {}),
        };
        if (result.tailFile) report.tailSha = (await this.blobs.put(await readFile(result.tailFile))).sha256;
        if (result.tailSamplesFile) report.tailSamplesSha = (await this.blobs.put(await readFile(result.tailSamplesFile))).sha256;
        await this.variants.markReady(variantId, model.sha256, model.sizeBytes, report, result.inputShapes);
      } catch (error) {
        if (isCancellation(error)) {
          await this.variants.markFailed(variantId, 'cancelled while building');
          return;
        }
        if (isTierwiseError(error) && typeof error.details?.wallMs === 'number')
          await this.variants.recordFailedAttempt(variantId, { code: error.code, wallMs: error.details.wallMs, endedAt: Date.now() });
        throw error;
      } finally {
        watch.stop();
        await opened?.close();
        await rm(outDir, { recursive: true, force: true });
      }
    }
    await this.jobs.finished(studyId);
  }

  async onFinalFailure(job: Job<Payload>, failure: JobFailure): Promise<void> {
    await this.variants.markFailed(job.data.variantId, `${failure.code}: ${failure.message}`);
    await this.jobs.failed(job.data.studyId, { job: 'build', variantId: job.data.variantId }, failure);
  }
}
