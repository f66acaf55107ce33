import { Injectable } from '@nestjs/common';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeSample } from '../benchmark/inputs';
import { TierwiseError } from '../common/errors';
import { DatasetsService } from '../datasets/datasets.service';
import { loadDataset } from '../datasets/formats';
import type { PreprocessSpec } from '../datasets/formats/preprocess-spec';
import type { DatasetKind } from '../datasets/formats/types';
import type { TensorSpec } from '../onnx/io-spec';

export interface OpenedStudyDataset {
  /** What a child process needs to read the dataset: the extracted path and the parsed spec. */
  forChild: { path: string; kind: DatasetKind; preprocess?: PreprocessSpec; labelled: boolean };
  datasetId: string;
  /** The first `limit` samples as a runner samples file (batch 1, model-ready). */
  samplesFile(limit: number, modelInputs: TensorSpec[]): Promise<string>;
  close(): Promise<void>;
}

/** Opens a study's dataset in a worker: extracted once per job, removed on close. */
@Injectable()
export class StudyDatasets {
  constructor(private readonly datasets: DatasetsService) {}

  async open(teamId: string, datasetId: string): Promise<OpenedStudyDataset> {
    const view = await this.datasets.get({ id: teamId, name: '' }, datasetId).catch(() => {
      throw new TierwiseError('DATASET_NOT_FOUND', `the study's dataset ${datasetId} was deleted`, 404);
    });
    const opened = await this.datasets.open(view);
    const scratch = await mkdtemp(join(tmpdir(), 'tierwise-samples-'));
    const forChild = { path: opened.source.path, kind: opened.source.kind, preprocess: opened.preprocess, labelled: view.labelled };
    return {
      forChild,
      datasetId,
      async samplesFile(limit, modelInputs) {
        const { samples } = await loadDataset(forChild.path, { kind: forChild.kind, preprocess: forChild.preprocess, modelInputs, limit });
        const file = join(scratch, `samples-${limit}.json`);
        await writeFile(file, JSON.stringify(samples.map((s) => serializeSample(s.id, s.inputs))));
        return file;
      },
      async close() {
        await opened.close();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  }
}
