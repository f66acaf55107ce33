/** A proportion-like metric with its Wilson 95 % interval and the number of samples it came from. */
export interface MetricValue {
  value: number;
  low: number;
  high: number;
  n: number;
}

export interface ClassificationMetrics {
  top1: MetricValue;
  /** Only when the model scores more than 5 classes. */
  top5?: MetricValue;
  /** Binary F1 with class 1 as the positive class; only for two-class models. */
  f1?: MetricValue;
  macroF1: MetricValue;
}

const Z95 = 1.959963984540054;

/** Wilson score interval for `value` observed over `n` (possibly fractional, an effective sample size). */
export function wilson(value: number, n: number, z = Z95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const z2 = z * z;
  const centre = (value + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((value * (1 - value)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function proportion(successes: number, n: number): MetricValue {
  const value = n === 0 ? 0 : successes / n;
  return { value, ...wilson(value, n), n };
}

/** Index of the highest score; the first one on ties. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

function rankOf(scores: ArrayLike<number>, index: number): number {
  let above = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] > scores[index]) above++;
  return above;
}

interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
}

function countsPerClass(predictions: number[], labels: number[], classCount: number): ClassCounts[] {
  const counts = Array.from({ length: classCount }, () => ({ tp: 0, fp: 0, fn: 0 }));
  predictions.forEach((predicted, i) => {
    if (predicted === labels[i]) counts[predicted].tp++;
    else {
      counts[predicted].fp++;
      counts[labels[i]].fn++;
    }
  });
  return counts;
}

/**
 * F1 = TP / (TP + (FP + FN) / 2) is a proportion over an effective count, so its interval is a Wilson interval
 * over that count (n still reports the samples).
 */
function f1Of({ tp, fp, fn }: ClassCounts, n: number): MetricValue {
  const trials = tp + (fp + fn) / 2;
  const value = trials === 0 ? 0 : tp / trials;
  return { value, ...wilson(value, trials), n };
}

/**
 * Macro-F1 over the classes that occur in the labels or the predictions (as scikit-learn does). Its interval is
 * Wilson's at the effective size whose binomial variance equals the mean of the per-class F1 variances / C.
 */
function macroF1Of(counts: ClassCounts[], n: number): MetricValue {
  const present = counts.filter((c) => c.tp + c.fp + c.fn > 0);
  if (present.length === 0) return { value: 0, low: 0, high: 1, n };
  const perClass = present.map((c) => f1Of(c, n).value);
  const value = perClass.reduce((a, b) => a + b, 0) / present.length;
  const variance =
    present.reduce((sum, c, i) => {
      const trials = c.tp + (c.fp + c.fn) / 2;
      return sum + (trials > 0 ? (perClass[i] * (1 - perClass[i])) / trials : 0);
    }, 0) /
    (present.length * present.length);
  const effective = variance > 0 ? (value * (1 - value)) / variance : n;
  return { value, ...wilson(value, effective), n };
}

/** Classification metrics from per-sample scores (logits or probabilities) and class-index labels. */
export function classificationMetrics(scores: ArrayLike<number>[], labels: number[], classCount: number): ClassificationMetrics {
  const n = labels.length;
  const predictions = scores.map(argmax);
  const correct = predictions.filter((p, i) => p === labels[i]).length;
  const counts = countsPerClass(predictions, labels, classCount);
  const metrics: ClassificationMetrics = { top1: proportion(correct, n), macroF1: macroF1Of(counts, n) };
  if (classCount > 5) metrics.top5 = proportion(scores.filter((s, i) => rankOf(s, labels[i]) < 5).length, n);
  if (classCount === 2) metrics.f1 = f1Of(counts[1], n);
  return metrics;
}

export { proportion };
