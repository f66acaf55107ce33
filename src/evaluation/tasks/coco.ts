import type { MetricValue } from '../metrics';
import { bootstrapIntervals } from './stats';

/** COCO ground truth (the fields the box evaluation reads). */
export interface CocoGroundTruth {
  images: { id: number; file_name?: string; width?: number; height?: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[]; area?: number; iscrowd?: number }[];
  categories: { id: number; name?: string }[];
}

/** One detection in the COCO results format. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

export interface CocoStats {
  /** mAP@[.5:.95] (COCOeval stats[0]). */
  map5095: number;
  /** mAP@0.5 (stats[1]). */
  map50: number;
  /** mAP@0.75 (stats[2]). */
  map75: number;
  /** AR@100 (stats[8]). */
  ar100: number;
}

/** np.linspace(start, stop, num) as numpy computes it: i * step + start, the last value exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
const RECALL_THRESHOLDS = linspace(0, 1, Math.round(1 / 0.01) + 1);
const MAX_DETS = 100;
const EPS = 2.220446049250313e-16;

interface ImageEval {
  /** Per IoU threshold, per detection (score order, ≤ 100): matched to a gt. */
  matched: boolean[][];
  /** Per IoU threshold, per detection: ignored (matched to an ignored gt). */
  ignored: boolean[][];
  scores: number[];
  /** Non-ignored ground truths. */
  positives: number;
}

function bboxIou(d: number[], g: number[], crowd: boolean): number {
  const w = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  const h = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - inter;
  return union <= 0 ? 0 : inter / union;
}

/** COCOeval.evaluateImg for one image and category, area range "all", maxDets 100. */
function evaluateImage(gts: CocoGroundTruth['annotations'], dts: CocoDetection[]): ImageEval | null {
  if (gts.length === 0 && dts.length === 0) return null;
  // as COCOeval._prepare: a gt's `ignore` is its iscrowd flag (an `ignore` field is overwritten)
  const ignoreOf = (g: CocoGroundTruth['annotations'][number]): boolean => Boolean(g.iscrowd);
  const area = (g: CocoGroundTruth['annotations'][number]): number => g.area ?? g.bbox[2] * g.bbox[3];
  const gtIgnored = gts.map((g) => ignoreOf(g) || area(g) < 0 || area(g) > 1e10);
  // stable: not-ignored first, then ignored
  const gOrder = gts.map((_, i) => i).sort((a, b) => Number(gtIgnored[a]) - Number(gtIgnored[b]) || a - b);
  const g = gOrder.map((i) => gts[i]);
  const gIg = gOrder.map((i) => gtIgnored[i]);
  const crowd = g.map((x) => Boolean(x.iscrowd));
  const dOrder = dts
    .map((_, i) => i)
    .sort((a, b) => dts[b].score - dts[a].score || a - b)
    .slice(0, MAX_DETS);
  const d = dOrder.map((i) => dts[i]);
  const ious = d.map((det) => g.map((gt, j) => bboxIou(det.bbox, gt.bbox, crowd[j])));
  const matched: boolean[][] = [];
  const ignored: boolean[][] = [];
  for (const threshold of IOU_THRESHOLDS) {
    const gtMatched = g.map(() => false);
    const dm = d.map(() => false);
    const di = d.map(() => false);
    d.forEach((_, di2) => {
      let best = Math.min(threshold, 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < g.length; j++) {
        if (gtMatched[j] && !crowd[j]) continue;
        if (m > -1 && !gIg[m] && gIg[j]) break;
        if (ious[di2][j] < best) continue;
        best = ious[di2][j];
        m = j;
      }
      if (m === -1) return;
      di[di2] = gIg[m];
      dm[di2] = true;
      gtMatched[m] = true;
    });
    matched.push(dm);
    ignored.push(di);
  }
  return { matched, ignored, scores: d.map((x) => x.score), positives: gIg.filter((x) => !x).length };
}

/** COCOeval.accumulate for one category: precision at the 101 recall thresholds per IoU threshold; null when no positives. */
function categoryPrecision(evals: ImageEval[]): { precision: number[][]; recall: number[] } | null {
  const positives = evals.reduce((s, e) => s + e.positives, 0);
  if (positives === 0) return null;
  const scores: number[] = [];
  const owner: [number, number][] = [];
  evals.forEach((e, k) => e.scores.forEach((s, i) => (scores.push(s), owner.push([k, i]))));
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const precision: number[][] = [];
  const recall: number[] = [];
  IOU_THRESHOLDS.forEach((_, t) => {
    let tp = 0;
    let fp = 0;
    const rc: number[] = [];
    const pr: number[] = [];
    for (const o of order) {
      const [k, i] = owner[o];
      if (evals[k].ignored[t][i]) {
        // ignored detections count neither way; numpy's cumsum repeats the previous value
      } else if (evals[k].matched[t][i]) tp++;
      else fp++;
      rc.push(tp / positives);
      pr.push(tp / (fp + tp + EPS));
    }
    recall.push(rc.length > 0 ? rc[rc.length - 1] : 0);
    for (let i = pr.length - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    const q = RECALL_THRESHOLDS.map((threshold) => {
      let lo = 0;
      let hi = rc.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rc[mid] < threshold) lo = mid + 1;
        else hi = mid;
      }
      return lo < pr.length ? pr[lo] : 0;
    });
    precision.push(q);
  });
  return { precision, recall };
}

/** Per-image evaluation results for every category, computed once so a bootstrap only re-accumulates. */
export interface CocoEvaluation {
  imageIds: number[];
  categoryIds: number[];
  /** [category][image] */
  perImage: (ImageEval | null)[][];
}

export function evaluateCoco(gt: CocoGroundTruth, detections: CocoDetection[]): CocoEvaluation {
  const imageIds = [...new Set(gt.images.map((i) => i.id))].sort((a, b) => a - b);
  const categoryIds = [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const key = (image: number, category: number): string => `${image}:${category}`;
  const gts = new Map<string, CocoGroundTruth['annotations']>();
  const dts = new Map<string, CocoDetection[]>();
  for (const a of gt.annotations) {
    const k = key(a.image_id, a.category_id);
    if (!gts.has(k)) gts.set(k, []);
    gts.get(k)!.push(a);
  }
  for (const d of detections) {
    const k = key(d.image_id, d.category_id);
    if (!dts.has(k)) dts.set(k, []);
    dts.get(k)!.push(d);
  }
  const perImage = categoryIds.map((c) => imageIds.map((i) => evaluateImage(gts.get(key(i, c)) ?? [], dts.get(key(i, c)) ?? [])));
  return { imageIds, categoryIds, perImage };
}

/** The COCOeval summary figures over the images at `indices` (all by default; repeats allowed, for a bootstrap). */
export function summarizeCoco(evaluation: CocoEvaluation, indices?: number[]): CocoStats {
  const images = indices ?? evaluation.imageIds.map((_, i) => i);
  let sumAll = 0;
  let countAll = 0;
  let sum50 = 0;
  let count50 = 0;
  let sum75 = 0;
  let count75 = 0;
  let recallSum = 0;
  let recallCount = 0;
  for (const row of evaluation.perImage) {
    const evals = images.map((i) => row[i]).filter((e): e is ImageEval => e !== null);
    const result = categoryPrecision(evals);
    if (!result) continue;
    result.precision.forEach((q, t) => {
      const s = q.reduce((a, b) => a + b, 0);
      sumAll += s;
      countAll += q.length;
      if (t === 0) {
        sum50 += s;
        count50 += q.length;
      }
      if (t === 5) {
        sum75 += s;
        count75 += q.length;
      }
    });
    recallSum += result.recall.reduce((a, b) => a + b, 0);
    recallCount += result.recall.length;
  }
  const avg = (s: number, c: number): number => (c === 0 ? -1 : s / c);
  return { map5095: avg(sumAll, countAll), map50: avg(sum50, count50), map75: avg(sum75, count75), ar100: avg(recallSum, recallCount) };
}

export interface DetectionMetrics {
  map50: MetricValue;
  map5095: MetricValue;
  map75: number;
  ar100: number;
}

/** mAP@0.5 and mAP@[.5:.95] the COCO way, with percentile-bootstrap intervals over images (fixed seed). */
export function detectionMetrics(gt: CocoGroundTruth, detections: CocoDetection[], options: { rounds?: number } = {}): DetectionMetrics {
  const evaluation = evaluateCoco(gt, detections);
  const stats = summarizeCoco(evaluation);
  const n = evaluation.imageIds.length;
  const [i50, i5095] = bootstrapIntervals(
    n,
    (ix) => {
      const s = summarizeCoco(evaluation, ix);
      return [s.map50, s.map5095];
    },
    options,
  );
  return {
    map50: { value: stats.map50, ...i50, n },
    map5095: { value: stats.map5095, ...i5095, n },
    map75: stats.map75,
    ar100: stats.ar100,
  };
}
