import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { TierwiseError } from '../../common/errors';
import type { TensorSpec } from '../../onnx/io-spec';
import { decodeWav, listAudio, loadAudioSamples } from './audio-dataset';
import { openDatasetSource, type DatasetSource } from './dataset-source';
import { listImages, loadImageSamples, mapLimited } from './image-dataset';
import {
  isTextModel,
  suggestPreprocess,
  type AudioPreprocessSpec,
  type ImagePreprocessSpec,
  type PreprocessSpec,
  type TextPreprocessSpec,
  type TokenizerSpec,
} from './preprocess-spec';
import type { ArchiveLimits } from './safe-archive';
import { readTensorDataset } from './tensors-dataset';
import { encodeTextSamples, findTokenizer, readTextRecords, type TextFields } from './text-dataset';
import type { DatasetKind, LoadedDataset } from './types';
import type { InputTensor } from '../../onnx/io-spec';
import { findTaskLabels, readTargets, type LabelKind } from './task-labels';

export * from './types';
export { findTaskLabels, type LabelKind, type TaskTarget, type GroundTruthBox, type TaskLabelling } from './task-labels';
export * from './preprocess-spec';
export { validateDatasetForModel, type ModelContract } from './validate';
export { extractArchive, DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './safe-archive';
export { WordPieceTokenizer, type TextTokenizer } from './wordpiece';

export interface LoadDatasetOptions {
  kind?: DatasetKind;
  /** How samples become model inputs; suggested from `modelInputs` (and a tokenizer beside the data) when absent. */
  preprocess?: PreprocessSpec;
  modelInputs?: TensorSpec[];
  /** Keep only the first `limit` samples. */
  limit?: number;
  archiveLimits?: ArchiveLimits;
}

export interface DatasetInspection {
  kind: DatasetKind;
  labelled: boolean;
  /** Which labels: class (one per sample), detection, segmentation or sequence. */
  labelKind?: LabelKind;
  sampleCount: number;
  classes?: string[];
  /** Content problems (undecodable images, bad lines); an upload with any should be refused as DATASET_INVALID. */
  errors: string[];
}

const DEFAULT_TEXT_INPUTS: TensorSpec[] = [
  { name: 'input_ids', elemType: 'int64', shape: ['N', 128] },
  { name: 'attention_mask', elemType: 'int64', shape: ['N', 128] },
];
const DEFAULT_FIELDS: TextFields = { textField: 'text', textPairField: 'text_pair', labelField: 'label' };
const MAX_REPORTED_ERRORS = 20;

function wrongKind(spec: PreprocessSpec, kind: DatasetKind): TierwiseError {
  return new TierwiseError('PREPROCESS_INVALID', `the preprocess spec is for ${spec.kind}, but the dataset holds ${kind}`);
}

/** A suggested spec of another kind means the model's inputs cannot take this dataset at all. */
function suggested(source: DatasetSource, modelInputs: TensorSpec[], tokenizer?: TokenizerSpec): PreprocessSpec {
  const modelKind = isTextModel(modelInputs) ? 'text' : 'images';
  if (modelKind !== source.kind) {
    const inputs = modelInputs.map((input) => `${input.name}: ${input.elemType}[${(input.shape ?? []).join(',')}]`).join(', ');
    throw new TierwiseError('DATASET_MISMATCH', `the dataset holds ${source.kind}, but the model's inputs (${inputs}) take ${modelKind}`);
  }
  return suggestPreprocess(modelInputs, tokenizer);
}

function textClasses(dir: string): string[] | undefined {
  const file = join(dir, 'classes.txt');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : undefined;
}

/** A lone `images/` folder (no classes.txt) is a folder of unlabelled images, not one class named "images". */
function unlabelledImagesFolder(listing: ReturnType<typeof listImages>): ReturnType<typeof listImages> {
  if (
    listing.labelled &&
    listing.classes?.length === 1 &&
    listing.classes[0] === 'images' &&
    listing.entries.every((e) => e.id.startsWith('images/'))
  )
    return { entries: listing.entries.map((e) => ({ id: e.id, file: e.file })), labelled: false };
  return listing;
}

async function loadFrom(source: DatasetSource, options: LoadDatasetOptions): Promise<LoadedDataset> {
  const { preprocess, modelInputs, limit } = options;
  if (preprocess && preprocess.kind !== source.kind && preprocess.kind !== 'tensors') throw wrongKind(preprocess, source.kind);
  if (source.kind === 'images') {
    if (!preprocess && !modelInputs)
      throw new TierwiseError('PREPROCESS_INVALID', 'an image dataset needs a preprocess spec or the model inputs to suggest one');
    const spec = (preprocess ?? suggested(source, modelInputs!)) as ImagePreprocessSpec;
    const inputName = spec.input ?? modelInputs?.[0]?.name ?? 'input';
    const task = findTaskLabels(source.path);
    if (task) {
      const entries = task.entries.slice(0, limit);
      const [samples, targets] = await Promise.all([loadImageSamples(entries, spec, inputName), readTargets(task, entries)]);
      samples.forEach((sample, i) => {
        sample.label = undefined;
        sample.target = targets[i];
      });
      return {
        kind: 'images',
        labelled: true,
        labelKind: task.labelKind,
        labelSource: task.source,
        categories: task.categories,
        charset: task.charset,
        samples,
        preprocess: spec,
      };
    }
    const listing = unlabelledImagesFolder(listImages(source.path));
    const samples = await loadImageSamples(listing.entries.slice(0, limit), spec, inputName);
    return {
      kind: 'images',
      labelled: listing.labelled,
      labelKind: listing.labelled ? 'class' : undefined,
      classes: listing.classes,
      samples,
      preprocess: spec,
    };
  }
  if (source.kind === 'audio') {
    if (!preprocess || preprocess.kind !== 'audio')
      throw new TierwiseError(
        'PREPROCESS_INVALID',
        'an audio dataset needs a preprocess spec {"kind": "audio", "sampleRate": <the model\'s rate in Hz>} (the window defaults to the model input\'s last dim)',
      );
    const spec: AudioPreprocessSpec = preprocess;
    const listing = listAudio(source.path);
    const samples = await loadAudioSamples(listing.entries.slice(0, limit), spec, modelInputs);
    return { kind: 'audio', labelled: listing.labelled, classes: listing.classes, samples, preprocess: spec };
  }
  if (source.kind === 'text') {
    const spec = (preprocess ?? suggested(source, modelInputs ?? DEFAULT_TEXT_INPUTS, findTokenizer(source.dir))) as TextPreprocessSpec;
    const records = readTextRecords(source.path, spec).slice(0, limit);
    const samples = encodeTextSamples(records, spec, modelInputs);
    return { kind: 'text', labelled: records[0]?.label !== undefined, classes: textClasses(source.dir), samples, preprocess: spec };
  }
  const tensors = readTensorDataset(source.path, modelInputs, limit);
  return {
    kind: 'tensors',
    labelled: tensors.labelled,
    ...(tensors.labelKind ? { labelKind: tensors.labelKind, labelSource: tensors.labelKind === 'values' ? 'targets' : 'labels' } : {}),
    classes: textClasses(source.dir),
    samples: tensors.samples,
    preprocess: { kind: 'tensors' },
  };
}

/**
 * Loads a dataset (a folder, a .zip / .tar.gz archive, a .jsonl or a .json) into model-ready samples.
 * Archives are extracted safely into a temporary folder that is removed before this returns.
 */
export async function loadDataset(path: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const source = await openDatasetSource(path, options.kind, options.archiveLimits);
  try {
    return await loadFrom(source, options);
  } finally {
    await source.cleanup();
  }
}

/** Raw bytes of a sample's input tensors (what a client would send if it preprocessed on the device). */
export function inputTensorBytes(inputs: Record<string, InputTensor>): number {
  return Object.values(inputs).reduce((sum, tensor) => sum + tensor.data.byteLength, 0);
}

async function inspectFrom(source: DatasetSource, fields: TextFields): Promise<DatasetInspection> {
  const errors: string[] = [];
  const note = (message: string): void => {
    errors.push(message);
  };
  try {
    if (source.kind === 'images') {
      const task = findTaskLabels(source.path);
      if (task) {
        await mapLimited(task.entries, 16, async (entry) => {
          try {
            await task.target(entry);
          } catch (error) {
            note(`${entry.id}: ${(error as Error).message}`);
          }
        });
        return {
          kind: 'images',
          labelled: true,
          labelKind: task.labelKind,
          sampleCount: task.entries.length,
          classes: task.categories?.map((c) => c.name),
          errors,
        };
      }
      const listing = unlabelledImagesFolder(listImages(source.path));
      await mapLimited(listing.entries, 16, async (entry) => {
        try {
          const meta = await sharp(entry.file).metadata();
          if (!meta.width || !meta.height) note(`image ${entry.id} has no size`);
        } catch (error) {
          note(`image ${entry.id} cannot be decoded: ${(error as Error).message}`);
        }
      });
      return {
        kind: 'images',
        labelled: listing.labelled,
        labelKind: listing.labelled ? 'class' : undefined,
        sampleCount: listing.entries.length,
        classes: listing.classes,
        errors,
      };
    }
    if (source.kind === 'audio') {
      const listing = listAudio(source.path);
      for (const entry of listing.entries) {
        try {
          decodeWav(await readFile(entry.file), entry.id);
        } catch (error) {
          if (!(error instanceof TierwiseError)) throw error;
          note(error.message);
        }
      }
      return { kind: 'audio', labelled: listing.labelled, sampleCount: listing.entries.length, classes: listing.classes, errors };
    }
    if (source.kind === 'text') {
      const records = readTextRecords(source.path, fields, (error) => note(error.message));
      if (records.length === 0) note('the file holds no samples');
      return {
        kind: 'text',
        labelled: records.some((r) => r.label !== undefined),
        sampleCount: records.length,
        classes: textClasses(source.dir),
        errors,
      };
    }
    const tensors = readTensorDataset(source.path);
    return {
      kind: 'tensors',
      labelled: tensors.labelled,
      ...(tensors.labelKind ? { labelKind: tensors.labelKind } : {}),
      sampleCount: tensors.count,
      classes: textClasses(source.dir),
      errors,
    };
  } catch (error) {
    if (!(error instanceof TierwiseError) || error.code !== 'DATASET_INVALID') throw error;
    return { kind: source.kind, labelled: false, sampleCount: 0, errors: [error.message] };
  }
}

/**
 * Validates and counts a dataset without a model (for uploads). Unsafe or unreadable archives throw
 * (DATASET_UNSAFE / DATASET_INVALID); problems in the content are listed in `errors`.
 */
export async function inspectDataset(
  path: string,
  options: { kind?: DatasetKind; preprocess?: PreprocessSpec; archiveLimits?: ArchiveLimits } = {},
): Promise<DatasetInspection> {
  const source = await openDatasetSource(path, options.kind, options.archiveLimits);
  try {
    const fields = options.preprocess?.kind === 'text' ? options.preprocess : DEFAULT_FIELDS;
    const inspection = await inspectFrom(source, fields);
    if (inspection.errors.length > MAX_REPORTED_ERRORS) {
      const more = inspection.errors.length - MAX_REPORTED_ERRORS;
      inspection.errors = [...inspection.errors.slice(0, MAX_REPORTED_ERRORS), `… and ${more} more`];
    }
    return inspection;
  } finally {
    await source.cleanup();
  }
}
