import { TierwiseError } from '../../common/errors';
import { mapBox, nms, type BoxMapping, type Detection, type MappingGeometry } from './boxes';
import type { DetectionPostprocess } from './task';

/** One output tensor of one sample: flattened values and per-sample dims (batch removed). */
export interface SampleOutput {
  values: ArrayLike<number>;
  dims: number[];
}

function unsupported(message: string): TierwiseError {
  return new TierwiseError('DATASET_MISMATCH', message);
}

function candidate(cx: number, cy: number, w: number, h: number, classIndex: number, score: number): Detection {
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, classIndex, score };
}

/** yolov8 layout [4+C, B]: cx, cy, w, h then C class scores (sigmoid-ed); class = argmax, score = max. */
export function yolov8Candidates(out: SampleOutput, scoreThreshold: number): Detection[] {
  if (out.dims.length !== 2 || out.dims[0] < 5) throw unsupported(`a yolov8 output is [4+C, boxes]; this one is [${out.dims}]`);
  const [rows, count] = out.dims;
  const v = out.values;
  const found: Detection[] = [];
  for (let j = 0; j < count; j++) {
    let best = 4;
    for (let r = 5; r < rows; r++) if (v[r * count + j] > v[best * count + j]) best = r;
    const score = v[best * count + j];
    if (score >= scoreThreshold) found.push(candidate(v[j], v[count + j], v[2 * count + j], v[3 * count + j], best - 4, score));
  }
  return found;
}

/** yolov5 layout [B, 5+C]: cx, cy, w, h, objectness, then C class scores; score = objectness × best class score. */
export function yolov5Candidates(out: SampleOutput, scoreThreshold: number): Detection[] {
  if (out.dims.length !== 2 || out.dims[1] < 6) throw unsupported(`a yolov5 output is [boxes, 5+C]; this one is [${out.dims}]`);
  const [count, cols] = out.dims;
  const v = out.values;
  const found: Detection[] = [];
  for (let j = 0; j < count; j++) {
    const row = j * cols;
    let best = 5;
    for (let c = 6; c < cols; c++) if (v[row + c] > v[row + best]) best = c;
    const score = v[row + 4] * v[row + best];
    if (score >= scoreThreshold) found.push(candidate(v[row], v[row + 1], v[row + 2], v[row + 3], best - 5, score));
  }
  return found;
}

/** `boxes`: the model already decodes, one row per box [x1, y1, x2, y2, score, class] (e.g. NMS inside). */
export function boxRows(out: SampleOutput, scoreThreshold: number): Detection[] {
  const dims = out.dims.length === 3 && out.dims[0] === 1 ? out.dims.slice(1) : out.dims;
  if (dims.length !== 2 || dims[1] < 6)
    throw unsupported(`a boxes output is [boxes, 6] (x1, y1, x2, y2, score, class); this one is [${out.dims}]`);
  const [count, cols] = dims;
  const v = out.values;
  const found: Detection[] = [];
  for (let j = 0; j < count; j++) {
    const r = j * cols;
    if (v[r + 4] >= scoreThreshold)
      found.push({ x1: v[r], y1: v[r + 1], x2: v[r + 2], y2: v[r + 3], score: v[r + 4], classIndex: Math.round(v[r + 5]) });
  }
  return found;
}

/**
 * `probability-map` (text detectors such as DBNet): pixels above `mapThreshold` are foreground, 8-connected
 * components become boxes (class 0) scored by their mean probability; components under `minArea` pixels are
 * dropped. The map is [H, W], [1, H, W]; its boxes are scaled to the input size when the map is smaller.
 */
export function probabilityMapCandidates(
  out: SampleOutput,
  spec: Pick<DetectionPostprocess, 'mapThreshold' | 'minArea' | 'scoreThreshold'>,
  inputSize?: { width: number; height: number },
): Detection[] {
  const dims = out.dims.filter((d, i) => !(d === 1 && i < out.dims.length - 2));
  if (dims.length !== 2) throw unsupported(`a probability map is [H, W] or [1, H, W]; this one is [${out.dims}]`);
  const [height, width] = dims;
  const v = out.values;
  const label = new Int32Array(width * height).fill(-1);
  const sx = inputSize ? inputSize.width / width : 1;
  const sy = inputSize ? inputSize.height / height : 1;
  const found: Detection[] = [];
  const stack: number[] = [];
  for (let start = 0; start < width * height; start++) {
    if (label[start] !== -1 || !(v[start] > spec.mapThreshold)) continue;
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    let sum = 0;
    let area = 0;
    label[start] = found.length;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      x1 = Math.min(x1, x);
      y1 = Math.min(y1, y);
      x2 = Math.max(x2, x + 1);
      y2 = Math.max(y2, y + 1);
      sum += v[p];
      area++;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (label[q] === -1 && v[q] > spec.mapThreshold) {
            label[q] = found.length;
            stack.push(q);
          }
        }
      }
    }
    const score = sum / area;
    if (area >= spec.minArea && score >= spec.scoreThreshold)
      found.push({ x1: x1 * sx, y1: y1 * sy, x2: x2 * sx, y2: y2 * sy, classIndex: 0, score });
    else found.push({ x1: 0, y1: 0, x2: 0, y2: 0, classIndex: -1, score: -1 });
  }
  return found.filter((d) => d.classIndex >= 0);
}

export interface DecodeContext extends MappingGeometry {
  mapping: BoxMapping;
}

/** Decodes one sample's output into image-coordinate detections: candidates, class-wise NMS, top-k, mapping. */
export function decodeDetections(out: SampleOutput, spec: DetectionPostprocess, context: DecodeContext): Detection[] {
  let candidates: Detection[];
  switch (spec.format) {
    case 'yolov8':
      candidates = yolov8Candidates(out, spec.scoreThreshold);
      break;
    case 'yolov5':
      candidates = yolov5Candidates(out, spec.scoreThreshold);
      break;
    case 'boxes':
      candidates = boxRows(out, spec.scoreThreshold);
      break;
    case 'probability-map':
      candidates = probabilityMapCandidates(out, spec, { width: context.inputWidth, height: context.inputHeight });
      break;
  }
  const kept =
    spec.format === 'boxes'
      ? candidates.sort((a, b) => b.score - a.score).slice(0, spec.maxDetections)
      : nms(candidates, spec.iouThreshold, spec.maxDetections, spec.classAgnostic);
  return kept.map((d) => mapBox(d, context.mapping, context));
}
