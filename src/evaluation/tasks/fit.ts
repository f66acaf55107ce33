import { TierwiseError } from '../../common/errors';
import type { LoadedDataset } from '../../datasets/formats/types';
import { detectionClassCount } from './score';
import { IGNORE_INDEX } from './segmentation';
import {
  isTask,
  parsePostprocess,
  type DetectionPostprocess,
  type SegmentationPostprocess,
  type SequencePostprocess,
  type Task,
} from './task';

/** What a study knows of the model before anything runs: its task, decode spec and declared outputs. */
export interface TaskContract {
  task: string;
  postprocess?: unknown;
  outputs?: { name: string; shape: (number | string | null)[] | null }[];
}

const LABELS_FOR: Record<Task, string> = {
  classification: 'one class per sample (class folders or labels.csv file,label_index)',
  multilabel: 'none yet (label-free fidelity only)',
  detection: 'images/ with annotations.json (COCO) or labels/*.txt (YOLO)',
  segmentation: 'images/ with masks/<stem>.png',
  sequence: 'images with labels.csv file,text',
  regression: 'none yet (label-free fidelity only)',
  embedding: 'none (label-free fidelity only)',
};

function mismatch(message: string, details?: Record<string, unknown>): TierwiseError {
  return new TierwiseError('DATASET_MISMATCH', message, details);
}

const fixedDims = (shape: (number | string | null)[] | null | undefined): number[] | undefined =>
  shape && shape.every((d) => typeof d === 'number') ? (shape as number[]).slice(1) : undefined;

/**
 * Refuses a dataset whose labels the model's task cannot score: labels of another task (detection boxes for a
 * classifier, class folders for a detector), category ids beyond the classes a detector scores, masks of another
 * size than the segmenter's output, texts with characters outside a CTC model's charset. DATASET_MISMATCH names it.
 */
export function checkTaskFit(dataset: LoadedDataset, model: TaskContract): void {
  if (!isTask(model.task) || !dataset.labelled) return;
  const task = model.task;
  const kind = dataset.labelKind ?? 'class';
  const wanted: Partial<Record<Task, string>> = {
    classification: 'class',
    detection: 'detection',
    segmentation: 'segmentation',
    sequence: 'sequence',
  };
  if (wanted[task] !== undefined && wanted[task] !== kind)
    throw mismatch(
      `the dataset has ${kind === 'class' ? 'class' : kind} labels${dataset.labelSource ? ` (${dataset.labelSource})` : ''}, but the model's task is ${task}, which is scored with ${LABELS_FOR[task]}`,
      { task, labelKind: kind },
    );
  const spec = parsePostprocess(task, model.postprocess ?? {});
  const wantedOutput = (spec as { output?: string }).output;
  const output =
    model.outputs?.find((o) => o.name === wantedOutput) ?? model.outputs?.find((o) => o.name === 'logits') ?? model.outputs?.[0];
  const dims = fixedDims(output?.shape);
  if (task === 'detection' && dims) {
    const classes = detectionClassCount(spec as DetectionPostprocess, dims);
    const categories = dataset.categories ?? [];
    if (classes !== undefined && categories.length > classes)
      throw mismatch(
        `the labels use ${categories.length} categories (ids ${categories.map((c) => c.id).join(', ')}), but output ${output!.name} [${output!.shape}] scores ${classes} classes`,
        { categories: categories.length, classes },
      );
  }
  if (task === 'segmentation' && dims && dims.length >= 2) {
    const [height, width] = dims.slice(-2);
    const classCount = (spec as SegmentationPostprocess).format === 'probability' || dims.length < 3 || dims[0] === 1 ? 2 : dims[0];
    for (const sample of dataset.samples) {
      const t = sample.target;
      if (t?.kind !== 'segmentation') continue;
      if (t.width !== width || t.height !== height)
        throw mismatch(
          `mask of ${sample.id} is ${t.width}x${t.height}, but output ${output!.name} [${output!.shape}] predicts ${width}x${height}`,
          {
            sample: sample.id,
          },
        );
      const bad = t.mask.find((v) => v !== IGNORE_INDEX && v >= classCount);
      if (bad !== undefined)
        throw mismatch(`mask of ${sample.id} uses class ${bad}, but the model predicts ${classCount} classes (255 = ignore)`, {
          sample: sample.id,
          class: bad,
        });
    }
  }
  if (task === 'sequence') {
    const seq = spec as SequencePostprocess;
    const charset = seq.charset ?? dataset.charset;
    if (!charset) throw mismatch("a sequence model's labels need its characters: add chars.txt to the dataset or set postprocess.charset");
    const classes = dims?.at(-1);
    if (classes !== undefined && charset.length !== classes)
      throw mismatch(
        `the charset has ${charset.length} entries (blank included), but output ${output!.name} [${output!.shape}] scores ${classes} classes`,
      );
    const known = new Set(charset.filter((_, i) => i !== seq.blank));
    const missing = new Set<string>();
    for (const sample of dataset.samples)
      if (sample.target?.kind === 'sequence') for (const ch of sample.target.text) if (!known.has(ch)) missing.add(ch);
    if (missing.size > 0)
      throw mismatch(`the labels use characters the charset lacks: ${[...missing].map((c) => JSON.stringify(c)).join(', ')}`, {
        missing: [...missing],
      });
  }
}
