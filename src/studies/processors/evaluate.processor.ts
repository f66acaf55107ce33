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
  ) {}

  async handle(job: Job<Payload>): Promise<void> {
    const { studyId, variantId } = job.data;
    const target = await this.jobs.builtTarget(studyId, variantId);
    if (!target) return;
    const { study, variant } = target;
    const all = await this.variants.many(study.variantIds);
    const baseline = all.find((v) => v.operators.length === 1 && v.operators[0] === 'identity')!;
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
            baselinePath: labelled ? undefined : this.blobs.pathOf(baseline.blobSha!),
            limit: study.effort.evalLimit,
            threads: envelope.cores?.length ?? 1,
          },
          { envelope, signal: watch.signal },
        ),
      );
      const top1 = report.metrics?.top1;
      const agreement = report.fidelity?.top1Agreement;
      const primary = top1 ? { metric: 'top1', ...top1 } : agreement ? { metric: 'top1_agreement', ...agreement } : null;
      if (!primary)
        throw finalFailure(
          'EVALUATION_UNSCORABLE',
          'the model output is not a class-score vector and the dataset has no labels to score it',
        );
      await this.results.saveAccuracy(studyId, {
        variantId,
        datasetId: opened.datasetId,
        metric: primary.metric,
        value: primary.value * 100,
        n: report.n,
        ciLow: primary.low * 100,
        ciHigh: primary.high * 100,
        metrics: report.metrics ?? {},
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
