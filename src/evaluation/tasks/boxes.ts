/** An axis-aligned box in pixel coordinates, corners (x1, y1) top-left and (x2, y2) bottom-right. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Detection extends Box {
  /** Class index as the model numbers it (0-based). */
  classIndex: number;
  score: number;
}

export function boxArea(box: Box): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

/** Intersection over union, areas as (x2 - x1) * (y2 - y1) with no +1; 0 when the union is empty. */
export function boxIou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const intersection = w * h;
  const union = boxArea(a) + boxArea(b) - intersection;
  return union <= 0 ? 0 : intersection / union;
}

/**
 * Greedy non-maximum suppression: by descending score (stable on ties), a box is kept unless it overlaps an
 * already kept box of the same class (any class when `classAgnostic`) with IoU strictly above `iouThreshold`.
 * At most `maxDetections` boxes are returned, best first.
 */
export function nms(detections: Detection[], iouThreshold: number, maxDetections = Infinity, classAgnostic = false): Detection[] {
  const order = detections.map((d, i) => [d, i] as const).sort((a, b) => b[0].score - a[0].score || a[1] - b[1]);
  const kept: Detection[] = [];
  for (const [candidate] of order) {
    if (kept.length >= maxDetections) break;
    const suppressed = kept.some((k) => (classAgnostic || k.classIndex === candidate.classIndex) && boxIou(k, candidate) > iouThreshold);
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}

export type BoxMapping = 'resize' | 'letterbox' | 'none';

export interface MappingGeometry {
  /** Model input size (what the boxes are in). */
  inputWidth: number;
  inputHeight: number;
  /** The source image size (what the labels are in). */
  imageWidth: number;
  imageHeight: number;
}

/**
 * Maps a box from model-input pixels back to source-image pixels, clipped to the image. `resize`: the image was
 * stretched to the input size; `letterbox`: scaled by min(inW/W, inH/H) keeping its aspect and centred with
 * padding; `none`: the input is the image.
 */
export function mapBox<T extends Box>(box: T, mapping: BoxMapping, g: MappingGeometry): T {
  let { x1, y1, x2, y2 } = box;
  if (mapping === 'resize') {
    const sx = g.imageWidth / g.inputWidth;
    const sy = g.imageHeight / g.inputHeight;
    x1 *= sx;
    x2 *= sx;
    y1 *= sy;
    y2 *= sy;
  } else if (mapping === 'letterbox') {
    const scale = Math.min(g.inputWidth / g.imageWidth, g.inputHeight / g.imageHeight);
    const padX = (g.inputWidth - g.imageWidth * scale) / 2;
    const padY = (g.inputHeight - g.imageHeight * scale) / 2;
    x1 = (x1 - padX) / scale;
    x2 = (x2 - padX) / scale;
    y1 = (y1 - padY) / scale;
    y2 = (y2 - padY) / scale;
  }
  const clip = (v: number, max: number): number => Math.min(max, Math.max(0, v));
  return { ...box, x1: clip(x1, g.imageWidth), y1: clip(y1, g.imageHeight), x2: clip(x2, g.imageWidth), y2: clip(y2, g.imageHeight) };
}
