import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { withWorkCores } from '../../isolation/work-cores';
import { BlobsService } from '../../blobs/blobs.service';
import { evaluateIsolated } from '../../evaluation';
import { JobName, type JobPayloads } from '../../jobs/job-catalogue';
import { finalFailure, type JobFailure } from '../../jobs/job-failure';
import type { JobProcessor } from '../../jobs/job-processor';
import { ResultsRepository } from '../results.repository';
import { StudyDatasets } from '../study-datasets';
import { StudyJobs, isCancellation } from '../study-jobs';
import { VariantsRepository } from '../variants.repository';
import { readFile } from 'node:fs/promises';
import { loadSamples } from '../../benchmark/inputs';
import { describeModel } from '../../onnx/describe';
import { recordOfTensors, type InputShapesRecord } from '../../onnx/input-spec';
import { ModelsRepository } from '../../models/models.repository';

type Payload = JobPayloads['evaluate-variant'];

/**
 * Accuracy of a variant on the study's dataset (top-1, with F1 and the rest kept beside it), in an isolated
 * child; without labels, fidelity to the baseline (top-1 agreement) stands in for accuracy.
 */
@Injectable()
export class EvaluateProcessor implements JobProcessor<typeof JobName.EvaluateVariant> {
  readonly handles = [JobName.EvaluateVariant] as const;

  constructor(
    private readonly variants: VariantsRepository,
    private readonly results: ResultsRepository,
    private readonly blobs: BlobsService,
    private readonly datasets: StudyDatasets,
    private readonly jobs: StudyJobs,
    private readonly models: ModelsRepository,
  ) {}

  async handle(job: Job<Payload>): Promise<void> {
    const { studyId, variantId } = job.data;
    const target = await this.jobs.builtTarget(studyId, variantId);
    if (!target) return;
    const { study, variant } = target;
    const all = await this.variants.many(study.variantIds);
    const baseline = all.find((v) => v.operators.length === 1 && v.operators[0] === 'identity')!;
    const model = await this.models.find(study.teamId, study.modelId);
    if (!model) throw finalFailure('MODEL_NOT_FOUND', 'the study’s model was deleted');
    // fidelity needs the baseline's outputs: always without labels, and with labels when minFidelity is asked for
    const wantsFidelity = (study.constraints as { minFidelity?: number } | null)?.minFidelity !== undefined;
    const opened = await this.datasets.open(study.teamId, study.datasetId!);
    const watch = this.jobs.watchCancellation(studyId);
    try {
      const { path, kind, preprocess, labelled } = opened.forChild;
      const report = await withWorkCores((envelope) =>
        evaluateIsolated(
          {
            modelPath: this.blobs.pathOf(variant.blobSha),
            datasetPath: path,
            kind,
            preprocess,
            baselinePath: labelled && !wantsFidelity ? undefined : this.blobs.pathOf(baseline.blobSha!),
            task: model.task,
            postprocess: model.postprocess,
            limit: study.effort.evalLimit,
            threads: envelope.cores?.length ?? 1,
          },
          { envelope, signal: watch.signal },
        ),
      );
      // the task's labelled primary metric (top-1, mAP@0.5, mIoU, 100 − CER), else its label-free fidelity
      const primary = report.primary ?? report.fidelity?.primary ?? null;
      if (!primary)
        throw finalFailure(
          'EVALUATION_UNSCORABLE',
          `the ${model.task} model's dataset has no labels it can score and no baseline to compare with`,
        );
      await this.results.saveAccuracy(studyId, {
        variantId,
        datasetId: opened.datasetId,
        metric: primary.metric,
        value: primary.value * 100,
        n: report.n,
        ciLow: primary.low * 100,
        ciHigh: primary.high * 100,
        metrics: { ...(report.metrics ?? {}), ...(report.taskMetrics ?? {}), task: report.task, assumptions: report.assumptions ?? [] },
        fidelity: report.fidelity ?? null,
        payload: { ...report.payload, durationMs: report.durationMs },
        inputShapes: await this.datasetInputShapes(opened, variant.blobSha, report.batchSize),
      });
    } catch (error) {
      if (isCancellation(error)) return;
      throw error;
    } finally {
      watch.stop();
      await opened.close();
    }
    await this.jobs.finished(studyId);
  }

  /** The shapes of the dataset's first preprocessed sample (what the evaluation fed), for the record. */
  private async datasetInputShapes(
    opened: { samplesFile(limit: number, inputs: ReturnType<typeof describeModel>['inputs']): Promise<string> },
    blobSha: string,
    batchSize: number,
  ): Promise<InputShapesRecord> {
    const file = await opened.samplesFile(1, describeModel(await readFile(this.blobs.pathOf(blobSha))).inputs);
    return recordOfTensors(loadSamples(file, 1)[0]!, `dataset${batchSize > 1 ? ` (batches of ${batchSize})` : ''}`);
  }

  async onFinalFailure(job: Job<Payload>, failure: JobFailure): Promise<void> {
    await this.jobs.failed(job.data.studyId, { job: 'evaluate', variantId: job.data.variantId }, failure);
  }
}
