import { proportion, type MetricValue } from '../metrics';
import { bootstrapped } from './stats';

/**
 * Greedy CTC decode of one sample's [T, C] scores: argmax per step (first on ties), merge repeats, drop blanks.
 * Returns the class indices of the decoded sequence.
 */
export function ctcGreedy(values: ArrayLike<number>, steps: number, classes: number, blank = 0): number[] {
  const out: number[] = [];
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[t * classes + c] > values[t * classes + best]) best = c;
    if (best !== previous && best !== blank) out.push(best);
    previous = best;
  }
  return out;
}

/** Reorders a [T, 1, C] (tbc, batch removed by slicing) or keeps a [T, C] sample to [T, C]. */
export function stepsAndClasses(dims: number[]): { steps: number; classes: number } {
  const d = dims.filter((x, i) => !(x === 1 && i < dims.length - 1 && dims.length > 2));
  if (d.length !== 2) throw new Error(`a CTC output is [T, C] per sample; this one is [${dims}]`);
  return { steps: d[0], classes: d[1] };
}

export function decodeText(indices: number[], charset: string[]): string {
  return indices.map((i) => charset[i] ?? '').join('');
}

/** Levenshtein distance between two sequences (unit costs). */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

export interface SequenceMetrics {
  /** Character error rate: total edit distance / total reference characters. */
  cer: MetricValue;
  /** Word error rate over whitespace-separated words (a string without spaces is one word). */
  wer: MetricValue;
  exactMatch: MetricValue;
}

const chars = (s: string): string[] => [...s];
const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

function rate(distances: number[], lengths: number[], indices: number[]): number {
  let d = 0;
  let l = 0;
  for (const i of indices) {
    d += distances[i];
    l += lengths[i];
  }
  return l === 0 ? (d === 0 ? 0 : 1) : d / l;
}

/** CER, WER (bootstrap intervals over samples) and exact-match accuracy (Wilson) of predictions against references. */
export function sequenceMetrics(predicted: string[], reference: string[]): SequenceMetrics {
  const n = reference.length;
  const cd = predicted.map((p, i) => editDistance(chars(p), chars(reference[i])));
  const cl = reference.map((r) => chars(r).length);
  const wd = predicted.map((p, i) => editDistance(words(p), words(reference[i])));
  const wl = reference.map((r) => words(r).length);
  return {
    cer: bootstrapped(n, (ix) => rate(cd, cl, ix)),
    wer: bootstrapped(n, (ix) => rate(wd, wl, ix)),
    exactMatch: proportion(predicted.filter((p, i) => p === reference[i]).length, n),
  };
}
