import type { MetricValue } from '../metrics';
import { bootstrapped } from './stats';

export interface RegressionMetrics {
  mae: MetricValue;
  rmse: MetricValue;
  /** Coefficient of determination 1 − SS_res / SS_tot over every value (targets pooled); 1 is perfect, 0 the mean's. */
  r2: MetricValue;
}

/** MAE, RMSE and R² over every predicted value against its target; bootstrap intervals over samples. */
export function regressionMetrics(predicted: ArrayLike<number>[], target: ArrayLike<number>[]): RegressionMetrics {
  const abs = predicted.map((p, i) => {
    let s = 0;
    for (let k = 0; k < p.length; k++) s += Math.abs(p[k] - target[i][k]);
    return s;
  });
  const sq = predicted.map((p, i) => {
    let s = 0;
    for (let k = 0; k < p.length; k++) s += (p[k] - target[i][k]) ** 2;
    return s;
  });
  const counts = predicted.map((p) => p.length);
  const over = (values: number[], ix: number[]): number => {
    let s = 0;
    let c = 0;
    for (const i of ix) {
      s += values[i];
      c += counts[i];
    }
    return c === 0 ? 0 : s / c;
  };
  const r2 = (ix: number[]): number => {
    let sum = 0;
    let count = 0;
    for (const i of ix)
      for (let k = 0; k < target[i].length; k++) {
        sum += target[i][k];
        count++;
      }
    const mean = count === 0 ? 0 : sum / count;
    let total = 0;
    let residual = 0;
    for (const i of ix) {
      residual += sq[i];
      for (let k = 0; k < target[i].length; k++) total += (target[i][k] - mean) ** 2;
    }
    return total === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / total;
  };
  const n = predicted.length;
  return {
    mae: bootstrapped(n, (ix) => over(abs, ix)),
    rmse: bootstrapped(n, (ix) => Math.sqrt(over(sq, ix))),
    r2: bootstrapped(n, r2),
  };
}

export interface MultilabelMetrics {
  microF1: MetricValue;
  macroF1: MetricValue;
  threshold: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Micro- and macro-F1 of multilabel predictions (a label is on where its probability exceeds `threshold`;
 * logits pass a sigmoid first when `activation` is sigmoid) against 0/1 targets. Macro averages the labels
 * that occur in targets or predictions. Bootstrap intervals over samples.
 */
export function multilabelMetrics(
  scores: ArrayLike<number>[],
  targets: ArrayLike<number>[],
  threshold = 0.5,
  activation: 'sigmoid' | 'none' = 'sigmoid',
): MultilabelMetrics {
  const labels = scores[0]?.length ?? 0;
  const on = scores.map((s) => Array.from(s, (v) => (activation === 'sigmoid' ? sigmoid(v) : v) > threshold));
  const f1 = (ix: number[], macro: boolean): number => {
    const tp = new Float64Array(labels);
    const fp = new Float64Array(labels);
    const fn = new Float64Array(labels);
    for (const i of ix)
      for (let k = 0; k < labels; k++) {
        const t = targets[i][k] > 0.5;
        if (on[i][k] && t) tp[k]++;
        else if (on[i][k]) fp[k]++;
        else if (t) fn[k]++;
      }
    if (!macro) {
      const TP = tp.reduce((a, b) => a + b, 0);
      const denom = TP + (fp.reduce((a, b) => a + b, 0) + fn.reduce((a, b) => a + b, 0)) / 2;
      return denom === 0 ? 0 : TP / denom;
    }
    let sum = 0;
    let present = 0;
    for (let k = 0; k < labels; k++) {
      const denom = tp[k] + (fp[k] + fn[k]) / 2;
      if (denom > 0) {
        sum += tp[k] / denom;
        present++;
      }
    }
    return present === 0 ? 0 : sum / present;
  };
  const n = scores.length;
  return { microF1: bootstrapped(n, (ix) => f1(ix, false)), macroF1: bootstrapped(n, (ix) => f1(ix, true)), threshold };
}
