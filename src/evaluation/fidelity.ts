import { argmax, proportion, type MetricValue } from './metrics';
import type { PrimaryMetric } from './tasks/score';

/** How closely a model's outputs follow the baseline's on the same samples; needs no labels. */
export interface FidelityReport {
  n: number;
  /** Share of samples where both models pick the same class (classification outputs). */
  top1Agreement?: MetricValue;
  meanAbsoluteError: number;
  /** Mean over samples of the cosine similarity of the two output vectors. */
  cosineSimilarity: number;
  /** Mean IoU of the masks both models predict (outputs with spatial dims). */
  iou?: number;
  /** The task's label-free figure (src/evaluation/tasks/score.ts): what minFidelity and unlabelled studies use. */
  primary?: PrimaryMetric;
  /** Task-specific side figures (baseline box counts, pixel agreement …). */
  detail?: Record<string, unknown>;
}

export interface OutputShape {
  /** Per-sample dims, batch dimension removed. */
  dims: number[];
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/**
 * Per-pixel class of a mask output: argmax over the channel dim for [C, H, W] with C > 1, otherwise a
 * threshold — 0.5 when the values look like probabilities, 0 when they look like logits.
 */
function maskClasses(values: ArrayLike<number>, dims: number[]): { classes: Uint32Array; classCount: number } {
  const channels = dims.length >= 3 ? dims[0] : 1;
  const plane = values.length / channels;
  const classes = new Uint32Array(plane);
  if (channels > 1) {
    const scores = new Float64Array(channels);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) scores[c] = values[c * plane + p];
      classes[p] = argmax(scores);
    }
    return { classes, classCount: channels };
  }
  let probabilities = true;
  for (let i = 0; i < values.length && probabilities; i++) probabilities = values[i] >= 0 && values[i] <= 1;
  const threshold = probabilities ? 0.5 : 0;
  for (let p = 0; p < plane; p++) classes[p] = values[p] > threshold ? 1 : 0;
  return { classes, classCount: 2 };
}

function meanIou(candidate: ArrayLike<number>[], baseline: ArrayLike<number>[], dims: number[]): number {
  let intersections: number[] = [];
  let unions: number[] = [];
  candidate.forEach((output, s) => {
    const a = maskClasses(output, dims);
    const b = maskClasses(baseline[s], dims);
    if (intersections.length === 0) {
      intersections = Array<number>(a.classCount).fill(0);
      unions = Array<number>(a.classCount).fill(0);
    }
    for (let p = 0; p < a.classes.length; p++) {
      const x = a.classes[p];
      const y = b.classes[p];
      if (x === y) {
        intersections[x]++;
        unions[x]++;
      } else {
        unions[x]++;
        unions[y]++;
      }
    }
  });
  const present = unions.map((u, c) => [u, intersections[c]] as const).filter(([u]) => u > 0);
  return present.length === 0 ? 1 : present.reduce((sum, [u, i]) => sum + i / u, 0) / present.length;
}

export function fidelity(candidate: ArrayLike<number>[], baseline: ArrayLike<number>[], shape: OutputShape): FidelityReport {
  const n = candidate.length;
  let absSum = 0;
  let count = 0;
  let cosSum = 0;
  candidate.forEach((output, s) => {
    const reference = baseline[s];
    for (let i = 0; i < output.length; i++) absSum += Math.abs(output[i] - reference[i]);
    count += output.length;
    cosSum += cosine(output, reference);
  });
  const report: FidelityReport = { n, meanAbsoluteError: count === 0 ? 0 : absSum / count, cosineSimilarity: n === 0 ? 0 : cosSum / n };
  if (shape.dims.length === 1 && shape.dims[0] >= 2) {
    const same = candidate.filter((output, s) => argmax(output) === argmax(baseline[s])).length;
    report.top1Agreement = proportion(same, n);
  }
  if (shape.dims.length >= 2) report.iou = meanIou(candidate, baseline, shape.dims);
  return report;
}
