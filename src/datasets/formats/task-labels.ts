import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { TierwiseError } from '../../common/errors';
import { visibleEntries } from './dataset-source';
import { IMAGE_EXTENSIONS, mapLimited, type ImageEntry } from './image-dataset';
import { safeEntryPath } from './safe-archive';

/**
 * Labels other than one class per sample. A dataset folder holds `images/` and one of: `annotations.json`
 * (COCO) or `labels/<stem>.txt` (YOLO) → detection; `masks/<stem>.png` → segmentation; `labels.csv` with the
 * header `file,text` → sequence. The images feed the model as any image dataset does.
 */
export type LabelKind = 'class' | 'detection' | 'segmentation' | 'sequence' | 'values';

export interface GroundTruthBox {
  /** COCO [x, y, w, h] in source-image pixels. */
  bbox: [number, number, number, number];
  categoryId: number;
  iscrowd: boolean;
  area: number;
}

export type TaskTarget =
  | { kind: 'detection'; width: number; height: number; boxes: GroundTruthBox[] }
  | { kind: 'segmentation'; width: number; height: number; mask: Uint8Array }
  | { kind: 'sequence'; text: string }
  /** A tensors dataset's `targets`: the values a regression should output, or 0/1 per label of a multilabel model. */
  | { kind: 'values'; values: Float32Array };

export interface TaskLabelling {
  labelKind: Exclude<LabelKind, 'class' | 'values'>;
  /** Where the labels came from, for the report. */
  source: string;
  entries: ImageEntry[];
  /** Detection: categories in ascending id order; class index k of the model is the k-th. */
  categories?: { id: number; name: string }[];
  /** Sequence: characters by class index from chars.txt (index 0 usually `<blank>`). */
  charset?: string[];
  /** Reads one entry's target (source size, boxes, mask or text). */
  target(entry: ImageEntry): Promise<TaskTarget>;
}

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message);
}

const isImage = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
const stem = (name: string): string => basename(name, extname(name));

function imagesIn(dir: string): ImageEntry[] {
  const folder = join(dir, 'images');
  return visibleEntries(folder)
    .filter((name) => isImage(name) && statSync(join(folder, name)).isFile())
    .map((name) => ({ id: `images/${name}`, file: join(folder, name) }));
}

function readCharset(dir: string): string[] | undefined {
  const file = join(dir, 'chars.txt');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line === '<blank>' ? '' : line === '<space>' ? ' ' : line));
}

async function sizeOf(file: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(file).metadata();
  if (!meta.width || !meta.height) throw invalid(`image ${basename(file)} has no size`);
  return { width: meta.width, height: meta.height };
}

function isSequenceCsv(dir: string): boolean {
  const file = join(dir, 'labels.csv');
  if (!existsSync(file)) return false;
  const first = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
  return /^\s*file\s*,\s*text\s*$/i.test(first);
}

interface CocoFile {
  images?: { id: number; file_name: string; width?: number; height?: number }[];
  annotations?: { image_id: number; category_id: number; bbox: number[]; area?: number; iscrowd?: number }[];
  categories?: { id: number; name?: string }[];
}

function cocoLabels(dir: string): TaskLabelling {
  let coco: CocoFile;
  try {
    coco = JSON.parse(readFileSync(join(dir, 'annotations.json'), 'utf8')) as CocoFile;
  } catch (error) {
    throw invalid(`annotations.json is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(coco.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories))
    throw invalid('annotations.json needs images, annotations and categories arrays (COCO)');
  const categories = coco.categories.map((c) => ({ id: c.id, name: c.name ?? String(c.id) })).sort((a, b) => a.id - b.id);
  const known = new Set(categories.map((c) => c.id));
  const byImage = new Map<number, GroundTruthBox[]>();
  coco.annotations.forEach((a, i) => {
    if (!known.has(a.category_id)) throw invalid(`annotations.json annotation ${i}: category_id ${a.category_id} is not in categories`);
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4 || a.bbox.some((v) => typeof v !== 'number'))
      throw invalid(`annotations.json annotation ${i}: bbox must be [x, y, w, h]`);
    const list = byImage.get(a.image_id) ?? [];
    list.push({
      bbox: a.bbox as GroundTruthBox['bbox'],
      categoryId: a.category_id,
      iscrowd: Boolean(a.iscrowd),
      area: a.area ?? a.bbox[2] * a.bbox[3],
    });
    byImage.set(a.image_id, list);
  });
  const images = coco.images;
  const entries = images.map((image) => {
    const segments = safeEntryPath(image.file_name);
    const direct = join(dir, ...segments);
    const file = existsSync(direct) ? direct : join(dir, 'images', ...segments);
    if (!existsSync(file)) throw invalid(`annotations.json image ${image.id}: ${image.file_name} not found (beside it or in images/)`);
    return { id: segments.join('/'), file, label: image.id };
  });
  const meta = new Map(images.map((i) => [i.id, i]));
  return {
    labelKind: 'detection',
    source: 'annotations.json (COCO)',
    entries,
    categories,
    async target(entry) {
      const image = meta.get(entry.label!)!;
      const size = image.width && image.height ? { width: image.width, height: image.height } : await sizeOf(entry.file);
      return { kind: 'detection', ...size, boxes: byImage.get(image.id) ?? [] };
    },
  };
}

function yoloLabels(dir: string): TaskLabelling {
  const entries = imagesIn(dir);
  const names = existsSync(join(dir, 'classes.txt'))
    ? readFileSync(join(dir, 'classes.txt'), 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : undefined;
  let maxClass = -1;
  const parsed = new Map<string, number[][]>();
  for (const entry of entries) {
    const file = join(dir, 'labels', `${stem(entry.file)}.txt`);
    const rows = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split(/\r?\n/)
          .filter((l) => l.trim() !== '')
          .map((line, i) => {
            const cells = line.trim().split(/\s+/).map(Number);
            if (cells.length < 5 || cells.some((c) => !Number.isFinite(c)) || !Number.isInteger(cells[0]) || cells[0] < 0)
              throw invalid(`labels/${stem(entry.file)}.txt line ${i + 1}: expected "class cx cy w h" (normalised)`);
            return cells;
          })
      : [];
    for (const row of rows) maxClass = Math.max(maxClass, row[0]);
    parsed.set(entry.id, rows);
  }
  const count = Math.max(names?.length ?? 0, maxClass + 1);
  return {
    labelKind: 'detection',
    source: 'labels/*.txt (YOLO; category id = class + 1)',
    entries,
    categories: Array.from({ length: count }, (_, k) => ({ id: k + 1, name: names?.[k] ?? String(k) })),
    async target(entry) {
      const { width, height } = await sizeOf(entry.file);
      const boxes = parsed.get(entry.id)!.map(([c, cx, cy, w, h]): GroundTruthBox => {
        const bw = w * width;
        const bh = h * height;
        return { bbox: [cx * width - bw / 2, cy * height - bh / 2, bw, bh], categoryId: c + 1, iscrowd: false, area: bw * bh };
      });
      return { kind: 'detection', width, height, boxes };
    },
  };
}

function maskLabels(dir: string): TaskLabelling {
  const entries = imagesIn(dir);
  return {
    labelKind: 'segmentation',
    source: 'masks/*.png (class index per pixel, 255 = ignore)',
    entries,
    async target(entry) {
      const file = join(dir, 'masks', `${stem(entry.file)}.png`);
      if (!existsSync(file)) throw invalid(`${entry.id} has no mask masks/${stem(entry.file)}.png`);
      const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      return {
        kind: 'segmentation',
        width: info.width,
        height: info.height,
        mask: new Uint8Array(data.buffer, data.byteOffset, data.length),
      };
    },
  };
}

function sequenceLabels(dir: string): TaskLabelling {
  const lines = readFileSync(join(dir, 'labels.csv'), 'utf8').split(/\r?\n/).slice(1);
  const texts = new Map<string, string>();
  const entries: ImageEntry[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const comma = line.indexOf(',');
    if (comma < 0) throw invalid(`labels.csv line ${i + 2}: expected file,text`);
    const name = line.slice(0, comma).trim();
    let text = line.slice(comma + 1);
    if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1).replace(/""/g, '"');
    const segments = safeEntryPath(name);
    const direct = join(dir, ...segments);
    const file = existsSync(direct) ? direct : join(dir, 'images', ...segments);
    if (!isImage(name) || !existsSync(file)) throw invalid(`labels.csv line ${i + 2}: image ${name} not found (beside it or in images/)`);
    const id = segments.join('/');
    texts.set(id, text);
    entries.push({ id, file });
  });
  if (entries.length === 0) throw invalid('labels.csv lists no images');
  return {
    labelKind: 'sequence',
    source: 'labels.csv (file,text)',
    entries,
    charset: readCharset(dir),
    async target(entry) {
      return { kind: 'sequence', text: texts.get(entry.id)! };
    },
  };
}

/** The task labelling of an image dataset folder, or undefined for the classification layouts. */
export function findTaskLabels(dir: string): TaskLabelling | undefined {
  if (existsSync(join(dir, 'annotations.json'))) return cocoLabels(dir);
  if (isSequenceCsv(dir)) return sequenceLabels(dir);
  const images = join(dir, 'images');
  if (!existsSync(images) || !statSync(images).isDirectory()) return undefined;
  if (existsSync(join(dir, 'masks'))) return maskLabels(dir);
  if (existsSync(join(dir, 'labels'))) return yoloLabels(dir);
  return undefined;
}

/** Reads every entry's target (sizes, boxes, masks, texts), in entry order. */
export function readTargets(labelling: TaskLabelling, entries: ImageEntry[]): Promise<TaskTarget[]> {
  return mapLimited(entries, 8, (entry) => labelling.target(entry));
}
