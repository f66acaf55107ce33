import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { TierwiseError } from '../../common/errors';
import { imageToTensor } from './image-preprocess';
import type { ImagePreprocessSpec } from './preprocess-spec';
import { safeEntryPath } from './safe-archive';
import { visibleEntries } from './dataset-source';
import type { DatasetSample } from './types';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);
const DECODE_CONCURRENCY = 8;

export interface ImageEntry {
  /** Path relative to the dataset folder; the sample id. */
  id: string;
  file: string;
  label?: number;
}

export interface ImageListing {
  entries: ImageEntry[];
  labelled: boolean;
  classes?: string[];
}

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message);
}

function readClasses(dir: string): string[] | undefined {
  const file = join(dir, 'classes.txt');
  if (!existsSync(file)) return undefined;
  const classes = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (new Set(classes).size !== classes.length) throw invalid('classes.txt lists a class twice');
  return classes;
}

function isImage(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

function fromLabelsCsv(dir: string, classes: string[] | undefined): ImageListing {
  const rows = readFileSync(join(dir, 'labels.csv'), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').map((cell) => cell.trim()));
  if (rows.length > 0 && !/^\d+$/.test(rows[0][1] ?? '') && !isImage(rows[0][0])) rows.shift();
  const names = new Map<number, string>();
  const labelled = rows.some((row) => (row[1] ?? '') !== '');
  const entries = rows.map((row, i): ImageEntry => {
    const [fileName, labelCell = '', labelName] = row;
    const where = `labels.csv line ${i + 1} (${fileName})`;
    const segments = safeEntryPath(fileName);
    const file = join(dir, ...segments);
    if (!isImage(fileName)) throw invalid(`${where}: not a .png / .jpg / .webp file`);
    if (!existsSync(file) || !statSync(file).isFile()) throw invalid(`${where}: file not found`);
    if (!labelled) return { id: segments.join('/'), file };
    if (!/^\d+$/.test(labelCell)) throw invalid(`${where}: label_index ${JSON.stringify(labelCell)} is not a non-negative integer`);
    const label = Number(labelCell);
    if (labelName) {
      if (names.has(label) && names.get(label) !== labelName)
        throw invalid(`${where}: label ${label} is named both ${names.get(label)} and ${labelName}`);
      names.set(label, labelName);
    }
    return { id: segments.join('/'), file, label };
  });
  if (entries.length === 0) throw invalid('labels.csv lists no images');
  const maxLabel = Math.max(...entries.map((e) => e.label ?? 0));
  const named = names.size > 0 ? Array.from({ length: maxLabel + 1 }, (_, i) => names.get(i) ?? String(i)) : undefined;
  const finalClasses = classes ?? named;
  if (labelled && finalClasses && maxLabel >= finalClasses.length)
    throw invalid(`labels.csv uses label ${maxLabel} but only ${finalClasses.length} classes exist`);
  return { entries, labelled, classes: finalClasses };
}

function fromFolders(dir: string, classes: string[] | undefined): ImageListing {
  const names = visibleEntries(dir);
  const folders = names.filter((name) => statSync(join(dir, name)).isDirectory());
  const looseImages = names.filter((name) => isImage(name) && statSync(join(dir, name)).isFile());
  if (folders.length > 0 && looseImages.length > 0)
    throw invalid(`images both in class folders and loose at the top (${looseImages[0]}); add labels.csv or pick one layout`);
  if (folders.length === 0) {
    if (looseImages.length === 0) throw invalid('no images found (expected <class>/<file>.png|jpg, or files with labels.csv)');
    return { entries: looseImages.map((name) => ({ id: name, file: join(dir, name) })), labelled: false, classes };
  }
  const order = classes ?? folders;
  const entries: ImageEntry[] = [];
  for (const folder of folders) {
    const label = order.indexOf(folder);
    if (label < 0) throw invalid(`class folder ${folder} is not listed in classes.txt`);
    for (const name of visibleEntries(join(dir, folder))) {
      const file = join(dir, folder, name);
      if (!statSync(file).isFile() || !isImage(name)) throw invalid(`${folder}/${name} is not a .png / .jpg / .webp image`);
      entries.push({ id: `${folder}/${name}`, file, label });
    }
  }
  if (entries.length === 0) throw invalid('the class folders hold no images');
  return { entries, labelled: true, classes: order };
}

/** The images of a folder in ImageFolder layout, or listed by labels.csv, or loose (unlabelled). */
export function listImages(dir: string): ImageListing {
  const classes = readClasses(dir);
  return existsSync(join(dir, 'labels.csv')) ? fromLabelsCsv(dir, classes) : fromFolders(dir, classes);
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function loadImageSamples(entries: ImageEntry[], spec: ImagePreprocessSpec, inputName: string): Promise<DatasetSample[]> {
  return mapLimited(entries, DECODE_CONCURRENCY, async (entry) => {
    const bytes = await readFile(entry.file);
    const tensor = await imageToTensor(bytes, spec, entry.id);
    return { id: entry.id, label: entry.label, payloadBytes: bytes.length, inputs: { [inputName]: tensor } };
  });
}
