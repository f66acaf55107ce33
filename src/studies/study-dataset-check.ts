import { Injectable } from '@nestjs/common';
import { DatasetsService } from '../datasets/datasets.service';
import type { DatasetView } from '../datasets/dataset.views';
import { loadDataset, validateDatasetForModel } from '../datasets/formats';
import type { ModelView } from '../models/model.views';

const CHECKED_SAMPLES = 2000;

/** Refuses, before any job runs, a dataset whose samples do not fit the model or whose labels it cannot score. */
@Injectable()
export class StudyDatasetCheck {
  constructor(private readonly datasets: DatasetsService) {}

  async check(dataset: DatasetView, model: ModelView): Promise<void> {
    const opened = await this.datasets.open(dataset);
    try {
      const loaded = await loadDataset(opened.source.path, {
        kind: opened.source.kind,
        preprocess: opened.preprocess,
        modelInputs: model.inputs,
        limit: CHECKED_SAMPLES,
      });
      const classDim = model.outputs[0]?.shape?.at(-1);
      validateDatasetForModel(loaded, { inputs: model.inputs, classCount: typeof classDim === 'number' ? classDim : undefined });
    } finally {
      await opened.close();
    }
  }
}
