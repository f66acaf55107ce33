import type { MetricValue } from '../metrics';
import { bootstrapped } from './stats';
import type { SegmentationPostprocess } from './task';

/** Label value that marks pixels excluded from every segmentation metric. */
export const IGNORE_INDEX = 255;

export interface ClassMap {
  classes: Uint8Array | Uint16Array;
  height: number;
  width: number;
  classCount: number;
}

/**
 * Per-pixel classes of one sample's output: `logits` [C, H, W] → argmax over C (first on ties); `probability`
 * [1, H, W] or [H, W] → 1 where the value is above the threshold.
 */
export function decodeMask(
  values: ArrayLike<number>,
  dims: number[],
  spec: Pick<SegmentationPostprocess, 'format' | 'threshold'>,
): ClassMap {
  const spatial = dims.slice(-2);
  const [height, width] = spatial.length === 2 ? spatial : [1, spatial[0] ?? values.length];
  const plane = height * width;
  const channels = Math.max(1, Math.round(values.length / plane));
  if (spec.format === 'probability' || channels === 1) {
    const classes = new Uint8Array(plane);
    for (let p = 0; p < plane; p++) classes[p] = values[p] > spec.threshold ? 1 : 0;
    return { classes, height, width, classCount: 2 };
  }
  const classes = channels < 256 ? new Uint8Array(plane) : new Uint16Array(plane);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestValue = values[p];
    for (let c = 1; c < channels; c++) {
      const v = values[c * plane + p];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    classes[p] = best;
  }
  return { classes, height, width, classCount: channels };
}

/** Per-image confusion counts: intersection and union per class, correct and valid pixels. */
interface ImageCounts {
  intersection: Float64Array;
  union: Float64Array;
  correct: number;
  valid: number;
}

function countImage(predicted: ArrayLike<number>, truth: ArrayLike<number>, classCount: number): ImageCounts {
  const intersection = new Float64Array(classCount);
  const predictedCount = new Float64Array(classCount);
  const truthCount = new Float64Array(classCount);
  let correct = 0;
  let valid = 0;
  for (let p = 0; p < truth.length; p++) {
    const t = truth[p];
    if (t === IGNORE_INDEX) continue;
    const q = predicted[p];
    valid++;
    if (t < classCount) truthCount[t]++;
    if (q < classCount) predictedCount[q]++;
    if (q === t) {
      correct++;
      intersection[t]++;
    }
  }
  const union = new Float64Array(classCount);
  for (let c = 0; c < classCount; c++) union[c] = predictedCount[c] + truthCount[c] - intersection[c];
  return { intersection, union, correct, valid };
}

function summarize(counts: ImageCounts[], indices: number[], classCount: number): { miou: number; pixelAccuracy: number } {
  const intersection = new Float64Array(classCount);
  const union = new Float64Array(classCount);
  let correct = 0;
  let valid = 0;
  for (const i of indices) {
    const c = counts[i];
    for (let k = 0; k < classCount; k++) {
      intersection[k] += c.intersection[k];
      union[k] += c.union[k];
    }
    correct += c.correct;
    valid += c.valid;
  }
  let sum = 0;
  let present = 0;
  for (let k = 0; k < classCount; k++) {
    if (union[k] > 0) {
      sum += intersection[k] / union[k];
      present++;
    }
  }
  return { miou: present === 0 ? 1 : sum / present, pixelAccuracy: valid === 0 ? 0 : correct / valid };
}

export interface SegmentationMetrics {
  /** Mean over classes present in the labels or the predictions of dataset-wide IoU (255 ignored). */
  miou: MetricValue;
  pixelAccuracy: MetricValue;
  /** Per-class IoU over the whole dataset; null for a class absent from labels and predictions. */
  perClassIou: (number | null)[];
}

/**
 * mIoU and pixel accuracy over a dataset: confusion summed over all images, then IoU per class; intervals by
 * percentile bootstrap over images (pixels within an image are not independent).
 */
export function segmentationMetrics(predicted: ArrayLike<number>[], truth: ArrayLike<number>[], classCount: number): SegmentationMetrics {
  const counts = predicted.map((p, i) => countImage(p, truth[i], classCount));
  const n = counts.length;
  const union = new Float64Array(classCount);
  const intersection = new Float64Array(classCount);
  for (const c of counts)
    for (let k = 0; k < classCount; k++) {
      union[k] += c.union[k];
      intersection[k] += c.intersection[k];
    }
  return {
    miou: bootstrapped(n, (ix) => summarize(counts, ix, classCount).miou),
    pixelAccuracy: bootstrapped(n, (ix) => summarize(counts, ix, classCount).pixelAccuracy),
    perClassIou: Array.from(union, (u, k) => (u > 0 ? intersection[k] / u : null)),
  };
}
