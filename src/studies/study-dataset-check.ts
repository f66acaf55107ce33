import { Injectable } from '@nestjs/common';
import { DatasetsService } from '../datasets/datasets.service';
import type { DatasetView } from '../datasets/dataset.views';
import type { ModelView } from '../models/model.views';

/** Refuses, before any job runs, a dataset whose samples do not fit the model or whose labels it cannot score. */
@Injectable()
export class StudyDatasetCheck {
  constructor(private readonly datasets: DatasetsService) {}

  async check(dataset: DatasetView, model: ModelView): Promise<void> {
    const classDim = model.outputs[0]?.shape?.at(-1);
    const classifier = model.task === 'classification';
    await this.datasets.fit(dataset, {
      inputs: model.inputs,
      classCount: classifier && typeof classDim === 'number' ? classDim : undefined,
      task: { task: model.task, postprocess: model.postprocess, outputs: model.outputs },
    });
  }
}
