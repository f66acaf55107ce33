import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { TierwiseError } from '../../common/errors';
import { looksLikeAudio } from './audio-dataset';
import { archiveFormat, extractArchive, type ArchiveLimits } from './safe-archive';
import type { DatasetKind } from './types';

/** A dataset on disk, ready to read: a folder or a single file, plus how to clean up what was extracted. */
export interface DatasetSource {
  kind: DatasetKind;
  /** The dataset's folder (images, audio), or its file (text .jsonl, tensors .json). */
  path: string;
  /** The folder holding the data, where tokenizer and class files are looked up. */
  dir: string;
  cleanup(): Promise<void>;
}

const IGNORED = /^(\.|__MACOSX$)/;
const NOT_TENSORS = new Set(['preprocess.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'manifest.json']);

export function visibleEntries(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !IGNORED.test(name))
    .sort();
}

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message);
}

/** An archive usually wraps its content in one folder; step into it. */
function unwrap(dir: string): string {
  const entries = visibleEntries(dir);
  if (entries.length === 1 && statSync(join(dir, entries[0])).isDirectory()) return unwrap(join(dir, entries[0]));
  return dir;
}

function detectInFolder(dir: string, kind: DatasetKind | undefined): { kind: DatasetKind; path: string } {
  const files = visibleEntries(dir).filter((name) => statSync(join(dir, name)).isFile());
  const jsonl = files.filter((name) => name.toLowerCase().endsWith('.jsonl'));
  const json = files.filter((name) => name.toLowerCase().endsWith('.json') && !NOT_TENSORS.has(name.toLowerCase()));
  // COCO annotations.json or an images/ folder make it an image dataset with task labels (task-labels.ts)
  const taskImages =
    existsSync(join(dir, 'annotations.json')) || (existsSync(join(dir, 'images')) && statSync(join(dir, 'images')).isDirectory());
  const wanted =
    kind ??
    (jsonl.length > 0
      ? 'text'
      : looksLikeAudio(dir, files)
        ? 'audio'
        : json.length > 0 && !taskImages && !existsSync(join(dir, 'labels.csv'))
          ? 'tensors'
          : 'images');
  if (wanted === 'images' || wanted === 'audio') return { kind: wanted, path: dir };
  const candidates = wanted === 'text' ? jsonl : json;
  if (candidates.length !== 1) {
    throw invalid(
      `${wanted} dataset folder ${basename(dir)} must hold exactly one ${wanted === 'text' ? '.jsonl' : '.json'} file, found ${candidates.length}`,
    );
  }
  return { kind: wanted, path: join(dir, candidates[0]) };
}

function kindOfFile(path: string): DatasetKind {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl') return 'text';
  if (ext === '.json' || ext === '.npy' || ext === '.npz') return 'tensors';
  throw invalid(`${basename(path)} is not a dataset: expected a folder, a .zip / .tar.gz archive, a .jsonl or a .json file`);
}

/** Resolves a dataset path (folder, archive, .jsonl, .json) to readable data, extracting archives safely. */
export async function openDatasetSource(path: string, kind?: DatasetKind, limits?: ArchiveLimits): Promise<DatasetSource> {
  if (!existsSync(path)) throw new TierwiseError('DATASET_NOT_FOUND', `dataset ${path} does not exist`);
  const noop = async (): Promise<void> => undefined;
  if (statSync(path).isDirectory()) return { ...detectInFolder(path, kind), dir: path, cleanup: noop };
  if (extname(path).toLowerCase() === '.npz') {
    // an .npz is a zip of .npy files: extracted with the archive limits, read as a folder of arrays
    const temp = await mkdtemp(join(tmpdir(), 'tierwise-npz-'));
    const cleanup = (): Promise<void> => rm(temp, { recursive: true, force: true });
    try {
      await extractArchive(path, join(temp, 'arrays'), limits, 'zip');
    } catch (error) {
      await cleanup();
      throw error;
    }
    return { kind: 'tensors', path: join(temp, 'arrays'), dir: join(path, '..'), cleanup };
  }
  if (!archiveFormat(path)) {
    const fileKind = kindOfFile(path);
    if (kind && kind !== fileKind) throw invalid(`${basename(path)} holds ${fileKind}, not ${kind}`);
    return { kind: fileKind, path, dir: join(path, '..'), cleanup: noop };
  }
  const temp = await mkdtemp(join(tmpdir(), 'tierwise-dataset-'));
  const cleanup = (): Promise<void> => rm(temp, { recursive: true, force: true });
  try {
    await extractArchive(path, join(temp, 'data'), limits);
    const dir = unwrap(join(temp, 'data'));
    return { ...detectInFolder(dir, kind), dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
