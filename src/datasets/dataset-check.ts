/**
 * The checks that parse a dataset's untrusted bytes: at upload (safe extraction, the preprocess spec against the
 * extracted files, every sample read once) and at study creation (the first samples preprocessed for the model and
 * fitted to it). They run in a child (`dataset-main.ts`) under the child slots, never in the api.
 */
import { openStoredDataset, type DatasetFormat } from './dataset-files';
import { inspectDataset, loadDataset, validateDatasetForModel, type DatasetInspection, type ModelContract } from './formats';
import type { DatasetKind } from './formats/types';

/** Samples preprocessed and fitted to the model when a study is created. */
const FITTED_SAMPLES = 2000;

export interface DatasetCheckRequest {
  path: string;
  format: DatasetFormat;
  kind?: DatasetKind;
  preprocess?: unknown;
  /** With a model: fit the first samples to it (study creation) instead of inspecting every sample (upload). */
  model?: ModelContract;
}

export async function checkDataset({ path, format, kind, preprocess, model }: DatasetCheckRequest): Promise<DatasetInspection | null> {
  const opened = await openStoredDataset(path, format, kind, preprocess);
  try {
    if (!model) return await inspectDataset(opened.source.path, { kind: opened.source.kind, preprocess: opened.preprocess });
    const loaded = await loadDataset(opened.source.path, {
      kind: opened.source.kind,
      preprocess: opened.preprocess,
      modelInputs: model.inputs,
      limit: FITTED_SAMPLES,
    });
    validateDatasetForModel(loaded, model);
    return null;
  } finally {
    await opened.close();
  }
}
