import { TierwiseError } from '../../common/errors';
import type { ImagePreprocessSpec, LoadedDataset } from '../../datasets/formats';
import type { InputTensor } from '../../onnx/io-spec';
import type { MetricValue } from '../metrics';
import type { BoxMapping, Detection } from './boxes';
import { detectionMetrics, type CocoDetection, type CocoGroundTruth, type DetectionMetrics } from './coco';
import { decodeDetections } from './detection';
import { decodeMask, IGNORE_INDEX, segmentationMetrics, type SegmentationMetrics } from './segmentation';
import { ctcGreedy, decodeText, sequenceMetrics, stepsAndClasses, type SequenceMetrics } from './sequence';
import { multilabelMetrics, regressionMetrics, type MultilabelMetrics, type RegressionMetrics } from './regression';
import type { DetectionPostprocess, MultilabelPostprocess, Postprocess, SegmentationPostprocess, SequencePostprocess, Task } from './task';

/** The one figure a study ranks and constrains by: higher is better, 0..1 (reported ×100 as points). */
export interface PrimaryMetric extends MetricValue {
  /** Machine name: top1, map50, miou, one_minus_cer, top1_agreement, baseline_map50, mask_iou, cosine … */
  metric: string;
  /** Human name, e.g. "mAP@0.5" or "100 − CER". */
  label: string;
}

export interface TaskMetrics {
  detection?: DetectionMetrics & { mapping: BoxMapping; categories: { id: number; name: string }[]; detections: number };
  segmentation?: SegmentationMetrics & { classCount: number };
  sequence?: SequenceMetrics & { charset: number };
  regression?: RegressionMetrics & { values: number };
  multilabel?: MultilabelMetrics & { labels: number };
}

export interface TaskScore {
  metrics?: TaskMetrics;
  primary?: PrimaryMetric;
  /** Assumptions made on the way (mapping chosen, category order …), reported next to the figures. */
  assumptions: string[];
}

export interface TaskFidelity {
  primary: PrimaryMetric;
  detail?: Record<string, unknown>;
}

export interface ScoringInput {
  task: Task;
  postprocess: Postprocess;
  dataset: LoadedDataset;
  values: Float32Array[];
  dims: number[];
  inputName: string;
}

function mismatch(message: string, details?: Record<string, unknown>): TierwiseError {
  return new TierwiseError('DATASET_MISMATCH', message, details);
}

function inputSize(tensor: InputTensor | undefined, spec: ImagePreprocessSpec | undefined): { width: number; height: number } | undefined {
  if (!tensor || tensor.dims.length !== 4) return undefined;
  const nhwc = spec?.layout === 'NHWC';
  return nhwc ? { height: tensor.dims[1], width: tensor.dims[2] } : { height: tensor.dims[2], width: tensor.dims[3] };
}

/** Class count a detection output scores: yolov8 4+C rows, yolov5 5+C columns; undefined for other formats. */
export function detectionClassCount(spec: DetectionPostprocess, dims: number[]): number | undefined {
  if (spec.format === 'yolov8' && dims.length === 2) return dims[0] - 4;
  if (spec.format === 'yolov5' && dims.length === 2) return dims[1] - 5;
  if (spec.format === 'probability-map') return 1;
  return undefined;
}

function decodeAll(
  input: ScoringInput,
  values: Float32Array[],
  spec: DetectionPostprocess,
  assumptions: string[],
): { detections: Detection[][]; mapping: BoxMapping } {
  const image = input.dataset.preprocess?.kind === 'images' ? input.dataset.preprocess : undefined;
  let noted = false;
  let used: BoxMapping = spec.mapping ?? 'none';
  const detections = values.map((v, i) => {
    const sample = input.dataset.samples[i];
    const size = inputSize(sample.inputs[input.inputName], image);
    const target = sample.target?.kind === 'detection' ? sample.target : undefined;
    const width = size?.width ?? target?.width ?? 1;
    const height = size?.height ?? target?.height ?? 1;
    const imageWidth = target?.width ?? width;
    const imageHeight = target?.height ?? height;
    const same = imageWidth === width && imageHeight === height;
    const mapping: BoxMapping = spec.mapping ?? (same ? 'none' : image?.padTo ? 'letterbox' : 'resize');
    if (mapping !== 'none') used = mapping;
    if (!noted && !spec.mapping && mapping !== 'none') {
      assumptions.push(`boxes mapped back to the image by ${mapping} (from the preprocess spec; set postprocess.mapping to change)`);
      noted = true;
    }
    return decodeDetections({ values: v, dims: input.dims }, spec, {
      mapping,
      inputWidth: width,
      inputHeight: height,
      imageWidth,
      imageHeight,
    });
  });
  return { detections, mapping: used };
}

function toCoco(detections: Detection[][], categoryOf: (classIndex: number) => number | undefined): CocoDetection[] {
  return detections.flatMap((boxes, i) =>
    boxes.flatMap((d) => {
      const category = categoryOf(d.classIndex);
      return category === undefined
        ? []
        : [{ image_id: i + 1, category_id: category, bbox: [d.x1, d.y1, d.x2 - d.x1, d.y2 - d.y1], score: d.score }];
    }),
  );
}

function scoreDetection(input: ScoringInput, spec: DetectionPostprocess): TaskScore {
  const assumptions: string[] = [];
  const { dataset } = input;
  const categories = dataset.categories ?? [];
  const classes = detectionClassCount(spec, input.dims);
  if (classes !== undefined && categories.length > classes)
    throw mismatch(
      `the labels use ${categories.length} categories (ids ${categories.map((c) => c.id).join(', ')}), but the model's ${spec.format} output scores ${classes} classes`,
      { categories: categories.length, classes },
    );
  assumptions.push('model class k is the k-th category in ascending id order');
  const { detections, mapping } = decodeAll(input, input.values, spec, assumptions);
  const gt: CocoGroundTruth = { images: [], annotations: [], categories: categories.map((c) => ({ id: c.id, name: c.name })) };
  let annotation = 1;
  dataset.samples.forEach((sample, i) => {
    const t = sample.target;
    if (t?.kind !== 'detection') throw mismatch(`sample ${sample.id} has no boxes; a detection dataset labels every image`);
    gt.images.push({ id: i + 1, width: t.width, height: t.height });
    for (const box of t.boxes)
      gt.annotations.push({
        id: annotation++,
        image_id: i + 1,
        category_id: box.categoryId,
        bbox: box.bbox,
        area: box.area,
        iscrowd: box.iscrowd ? 1 : 0,
      });
  });
  const metrics = detectionMetrics(
    gt,
    toCoco(detections, (k) => categories[k]?.id),
  );
  return {
    metrics: {
      detection: { ...metrics, mapping, categories, detections: detections.reduce((s, d) => s + d.length, 0) },
    },
    primary: { metric: 'map50', label: 'mAP@0.5', ...metrics.map50 },
    assumptions,
  };
}

function maskOf(input: ScoringInput, spec: SegmentationPostprocess, values: Float32Array): ReturnType<typeof decodeMask> {
  return decodeMask(values, input.dims, spec);
}

function scoreSegmentation(input: ScoringInput, spec: SegmentationPostprocess): TaskScore {
  const masks = input.values.map((v) => maskOf(input, spec, v));
  const classCount = masks[0]?.classCount ?? 2;
  const truth = input.dataset.samples.map((sample, i) => {
    const t = sample.target;
    if (t?.kind !== 'segmentation') throw mismatch(`sample ${sample.id} has no mask; a segmentation dataset labels every image`);
    const m = masks[i];
    if (t.width !== m.width || t.height !== m.height)
      throw mismatch(
        `mask of ${sample.id} is ${t.width}x${t.height}, the model's output ${input.dims.join('x')} gives ${m.width}x${m.height}`,
        {
          sample: sample.id,
          mask: [t.width, t.height],
          output: input.dims,
        },
      );
    for (const v of t.mask)
      if (v !== IGNORE_INDEX && v >= classCount)
        throw mismatch(
          `mask of ${sample.id} uses class ${v}, but the model predicts ${classCount} classes (0..${classCount - 1}; 255 = ignore)`,
          {
            sample: sample.id,
            class: v,
            classCount,
          },
        );
    return t.mask;
  });
  const metrics = segmentationMetrics(
    masks.map((m) => m.classes),
    truth,
    classCount,
  );
  return {
    metrics: { segmentation: { ...metrics, classCount } },
    primary: { metric: 'miou', label: 'mIoU', ...metrics.miou },
    assumptions: ['mIoU over classes present in labels or predictions, confusion summed over the dataset, 255 ignored'],
  };
}

/** Per-sample [T, C] of a CTC output given its per-sample dims and layout. */
function ctcShape(dims: number[]): { steps: number; classes: number } {
  try {
    return stepsAndClasses(dims);
  } catch (error) {
    throw mismatch((error as Error).message);
  }
}

export function decodeSequences(values: Float32Array[], dims: number[], spec: SequencePostprocess): number[][] {
  const { steps, classes } = ctcShape(dims);
  return values.map((v) => ctcGreedy(v, steps, classes, spec.blank));
}

function scoreSequence(input: ScoringInput, spec: SequencePostprocess): TaskScore {
  const charset = spec.charset ?? input.dataset.charset;
  if (!charset) throw mismatch('a sequence model needs its characters: a chars.txt in the dataset or postprocess.charset');
  const { classes } = ctcShape(input.dims);
  if (charset.length !== classes)
    throw mismatch(`the charset has ${charset.length} entries (blank included), the model's output scores ${classes} classes`, {
      charset: charset.length,
      classes,
    });
  const known = new Set(charset.filter((_, i) => i !== spec.blank));
  const references = input.dataset.samples.map((sample) => {
    if (sample.target?.kind !== 'sequence') throw mismatch(`sample ${sample.id} has no text; a sequence dataset labels every sample`);
    return sample.target.text;
  });
  const missing = [...new Set(references.flatMap((r) => [...r]).filter((ch) => !known.has(ch)))];
  if (missing.length > 0)
    throw mismatch(`the labels use characters the model's charset lacks: ${missing.map((c) => JSON.stringify(c)).join(', ')}`, { missing });
  const predicted = decodeSequences(input.values, input.dims, spec).map((ix) => decodeText(ix, charset));
  const metrics = sequenceMetrics(predicted, references);
  return {
    metrics: { sequence: { ...metrics, charset: charset.length } },
    primary: {
      metric: 'one_minus_cer',
      label: '100 − CER',
      value: 1 - metrics.cer.value,
      low: 1 - metrics.cer.high,
      high: 1 - metrics.cer.low,
      n: metrics.cer.n,
    },
    assumptions: ['greedy CTC decode (argmax per step, merge repeats, drop blanks); WER over whitespace-separated words'],
  };
}

/** Labelled metrics of a non-classification task; undefined when the dataset's labels are not the task's. */
export function scoreTask(input: ScoringInput): TaskScore | undefined {
  const kind = input.dataset.labelKind;
  const expected: Partial<Record<Task, string>> = {
    detection: 'detection',
    segmentation: 'segmentation',
    sequence: 'sequence',
    regression: 'values',
    multilabel: 'values',
  };
  const wanted = expected[input.task];
  if (!input.dataset.labelled || !kind) return undefined;
  if (kind !== 'class' && kind !== wanted)
    throw mismatch(`the dataset has ${kind} labels (${input.dataset.labelSource}), but the model's task is ${input.task}`, {
      labelKind: kind,
      task: input.task,
    });
  if (kind === 'class' && wanted)
    throw mismatch(
      `the dataset has one class label per sample, but the model's task is ${input.task} (expected ${wanted} labels: ${LAYOUTS[input.task]})`,
      { labelKind: kind, task: input.task },
    );
  if (input.task === 'detection') return scoreDetection(input, input.postprocess as DetectionPostprocess);
  if (input.task === 'segmentation') return scoreSegmentation(input, input.postprocess as SegmentationPostprocess);
  if (input.task === 'sequence') return scoreSequence(input, input.postprocess as SequencePostprocess);
  if (input.task === 'regression' || input.task === 'multilabel') return scoreValues(input);
  return undefined;
}

/** Regression (MAE, RMSE; R² ranks) or multilabel (micro/macro F1 at the threshold; micro ranks) against `targets`. */
function scoreValues(input: ScoringInput): TaskScore {
  const targets = input.dataset.samples.map((s, i) => {
    if (s.target?.kind !== 'values') throw mismatch(`sample ${i} has no targets`);
    return s.target.values;
  });
  const width = input.values[0]?.length ?? 0;
  const bad = targets.findIndex((t) => t.length !== width);
  if (bad >= 0)
    throw mismatch(
      `targets[${bad}] holds ${targets[bad]!.length} values, but the model's output has ${width} per sample (per-sample shape [${input.dims}])`,
      { targetValues: targets[bad]!.length, outputValues: width },
    );
  if (input.task === 'regression') {
    const metrics = regressionMetrics(input.values, targets);
    return {
      metrics: { regression: { ...metrics, values: width } },
      primary: { metric: 'r2', label: 'R²', ...metrics.r2 },
      assumptions: ['regression: MAE and RMSE pooled over every output value; R² (ranked) against the pooled targets’ mean'],
    };
  }
  const spec = input.postprocess as MultilabelPostprocess;
  if (targets.some((t) => t.some((v) => v !== 0 && v !== 1))) throw mismatch('multilabel targets must be 0 or 1 per label');
  const metrics = multilabelMetrics(input.values, targets, spec.threshold, spec.activation);
  return {
    metrics: { multilabel: { ...metrics, labels: width } },
    primary: { metric: 'micro_f1', label: 'micro-F1', ...metrics.microF1 },
    assumptions: [
      `multilabel: a label is on where its ${spec.activation === 'sigmoid' ? 'sigmoid of the logit' : 'probability'} exceeds ${spec.threshold}; macro-F1 over the labels present`,
    ],
  };
}

const LAYOUTS: Partial<Record<Task, string>> = {
  detection: 'images/ with annotations.json (COCO) or labels/*.txt (YOLO)',
  segmentation: 'images/ with masks/*.png',
  sequence: 'images with labels.csv file,text',
  regression: 'a tensors dataset (.json/.npz) with "targets", one array of output values per sample',
  multilabel: 'a tensors dataset (.json/.npz) with "targets", one 0/1 per label per sample',
};

/** Label-free: the candidate's decoded outputs scored against the baseline's with the task's metric. */
export function taskFidelity(input: ScoringInput, baseline: Float32Array[]): TaskFidelity | undefined {
  if (input.task === 'detection') {
    const spec = input.postprocess as DetectionPostprocess;
    const assumptions: string[] = [];
    const mine = decodeAll(input, input.values, spec, assumptions).detections;
    const theirs = decodeAll(input, baseline, spec, assumptions).detections;
    const classes = Math.max(detectionClassCount(spec, input.dims) ?? 0, ...theirs.flat().map((d) => d.classIndex + 1), 1);
    const gt: CocoGroundTruth = {
      images: theirs.map((_, i) => ({ id: i + 1 })),
      categories: Array.from({ length: classes }, (_, k) => ({ id: k + 1 })),
      annotations: theirs.flatMap((boxes, i) =>
        boxes.map((d, j) => ({
          id: i * 100_000 + j + 1,
          image_id: i + 1,
          category_id: d.classIndex + 1,
          bbox: [d.x1, d.y1, d.x2 - d.x1, d.y2 - d.y1],
          area: (d.x2 - d.x1) * (d.y2 - d.y1),
          iscrowd: 0,
        })),
      ),
    };
    // the baseline's boxes above the score threshold a deployment would use count as truth
    const metrics = detectionMetrics(
      gt,
      toCoco(mine, (k) => k + 1),
    );
    const empty = gt.annotations.length === 0;
    const value = empty ? (mine.flat().length === 0 ? 1 : 0) : metrics.map50.value;
    return {
      primary: {
        metric: 'baseline_map50',
        label: "mAP@0.5 against the baseline's boxes",
        ...metrics.map50,
        value,
        ...(empty ? { low: value, high: value } : {}),
      },
      detail: { map5095: metrics.map5095.value, baselineBoxes: gt.annotations.length, candidateBoxes: mine.flat().length },
    };
  }
  if (input.task === 'segmentation') {
    const spec = input.postprocess as SegmentationPostprocess;
    const mine = input.values.map((v) => maskOf(input, spec, v));
    const theirs = baseline.map((v) => maskOf(input, spec, v));
    const classCount = mine[0]?.classCount ?? 2;
    const m = segmentationMetrics(
      mine.map((x) => x.classes),
      theirs.map((x) => x.classes),
      classCount,
    );
    return {
      primary: { metric: 'mask_iou', label: "mask IoU with the baseline's masks", ...m.miou },
      detail: { pixelAgreement: m.pixelAccuracy.value },
    };
  }
  if (input.task === 'sequence') {
    const spec = input.postprocess as SequencePostprocess;
    const mine = decodeSequences(input.values, input.dims, spec);
    const theirs = decodeSequences(baseline, input.dims, spec);
    // class indices as characters: the charset is not needed to compare two decodes
    const asText = (s: number[]): string => String.fromCodePoint(...s.map((k) => 0xe000 + k));
    const m = sequenceMetrics(mine.map(asText), theirs.map(asText));
    return {
      primary: {
        metric: 'one_minus_cer_vs_baseline',
        label: "100 − CER against the baseline's decodes",
        value: 1 - m.cer.value,
        low: 1 - m.cer.high,
        high: 1 - m.cer.low,
        n: m.cer.n,
      },
      detail: { exactAgreement: m.exactMatch.value },
    };
  }
  return undefined;
}

const PRIMARY_LABELS: Record<string, string> = {
  top1: 'top-1 accuracy',
  top1_agreement: 'top-1 agreement with the baseline',
  map50: 'mAP@0.5',
  miou: 'mIoU',
  one_minus_cer: '100 − CER',
  r2: 'R²',
  micro_f1: 'micro-F1',
  baseline_map50: "mAP@0.5 against the baseline's boxes",
  mask_iou: "mask IoU with the baseline's masks",
  one_minus_cer_vs_baseline: "100 − CER against the baseline's decodes",
  cosine: "cosine similarity to the baseline's outputs",
};

/** The human name of a stored primary metric. */
export function primaryLabel(metric: string): string {
  return PRIMARY_LABELS[metric] ?? metric;
}
