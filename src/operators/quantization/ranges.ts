/** Streaming statistics of one tensor over the calibration set; a histogram is filled in a second pass. */
export interface TensorStats {
  min: number;
  max: number;
  histogram?: { lo: number; hi: number; counts: Float64Array };
}

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';
export const HISTOGRAM_BINS = 2048;

export function updateMinMax(stats: TensorStats, data: Float32Array): void {
  let { min, max } = stats;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  stats.min = min;
  stats.max = max;
}

export function updateHistogram(stats: TensorStats, data: Float32Array): void {
  const lo = Math.min(stats.min, 0);
  const hi = Math.max(stats.max, 0);
  stats.histogram ??= { lo, hi, counts: new Float64Array(HISTOGRAM_BINS) };
  const { counts } = stats.histogram;
  const width = (hi - lo) / HISTOGRAM_BINS || 1;
  for (let i = 0; i < data.length; i++) {
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor((data[i] - lo) / width)));
    counts[bin]++;
  }
}

/** The calibrated real range of a tensor. */
export function rangeOf(stats: TensorStats, method: CalibrationMethod, percentile = 99.999): [number, number] {
  if (method === 'minmax' || !stats.histogram || stats.max <= stats.min) return [stats.min, stats.max];
  return method === 'percentile' ? percentileRange(stats, percentile) : entropyRange(stats);
}

/** Cuts each tail at (100 − p)% of the values, so rare outliers stop stretching the scale. */
function percentileRange(stats: TensorStats, p: number): [number, number] {
  const { lo, hi, counts } = stats.histogram!;
  const width = (hi - lo) / counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const tail = (total * (100 - p)) / 100;
  let acc = 0;
  let first = 0;
  while (first < counts.length - 1 && acc + counts[first] <= tail) acc += counts[first++];
  acc = 0;
  let last = counts.length - 1;
  while (last > first && acc + counts[last] <= tail) acc += counts[last--];
  return [Math.max(stats.min, lo + first * width), Math.min(stats.max, lo + (last + 1) * width)];
}

/**
 * TensorRT-style KL calibration on the histogram of |x|: pick the clipping threshold whose 128-level
 * quantized distribution diverges least from the clipped reference distribution.
 */
function entropyRange(stats: TensorStats): [number, number] {
  const { lo, hi, counts } = stats.histogram!;
  const absMax = Math.max(-lo, hi);
  const bins = counts.length;
  const folded = new Float64Array(bins);
  const width = (hi - lo) / bins;
  counts.forEach((c, i) => {
    const centre = Math.abs(lo + (i + 0.5) * width);
    folded[Math.min(bins - 1, Math.floor((centre / absMax) * bins))] += c;
  });
  // One-sided tensors (after ReLU) get all 255 uint8 levels, and their exact-zero spike is left out of the
  // divergence: it is represented exactly at any threshold and would otherwise pull the threshold far down.
  const oneSided = lo >= 0;
  const levels = oneSided ? 255 : 128;
  if (oneSided) folded[0] = 0;
  let best = bins;
  let bestKl = Infinity;
  for (let t = levels; t <= bins; t += 16) {
    const kl = klForThreshold(folded, t, levels);
    if (kl < bestKl) {
      bestKl = kl;
      best = t;
    }
  }
  const threshold = (best / bins) * absMax;
  return [Math.max(stats.min, -threshold), Math.min(stats.max, threshold)];
}

/** KL(P‖Q): P is clipped with the outliers folded into its last bin, Q is built from the unclipped bins so clipping costs. */
function klForThreshold(hist: Float64Array, t: number, levels: number): number {
  const p = Float64Array.from(hist.subarray(0, t));
  for (let i = t; i < hist.length; i++) p[t - 1] += hist[i];
  const q = new Float64Array(t);
  const per = t / levels;
  for (let j = 0; j < levels; j++) {
    const start = Math.floor(j * per);
    const end = Math.max(start + 1, Math.floor((j + 1) * per));
    let sum = 0;
    let nonZero = 0;
    for (let i = start; i < end; i++) {
      sum += hist[i];
      if (hist[i] > 0) nonZero++;
    }
    for (let i = start; i < end; i++) if (hist[i] > 0) q[i] = sum / nonZero;
  }
  const pSum = p.reduce((a, b) => a + b, 0);
  const qSum = q.reduce((a, b) => a + b, 0);
  if (pSum === 0 || qSum === 0) return Infinity;
  let kl = 0;
  for (let i = 0; i < t; i++) {
    if (p[i] === 0) continue;
    const pi = p[i] / pSum;
    const qi = q[i] > 0 ? q[i] / qSum : 1e-12;
    kl += pi * Math.log(pi / qi);
  }
  return kl;
}
