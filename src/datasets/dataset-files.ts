import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';
import { openDatasetSource, type DatasetSource } from './formats/dataset-source';
import { parsePreprocess, type PreprocessSpec } from './formats/preprocess-spec';
import type { DatasetKind } from './formats/types';

/** File name endings a dataset upload may have; the blob store keeps bytes only, so the format is recorded apart. */
const FORMATS = ['.tar.gz', '.tgz', '.tar', '.zip', '.jsonl', '.json'] as const;
export type DatasetFormat = (typeof FORMATS)[number];

export function formatOf(filename: string): DatasetFormat {
  const lower = filename.toLowerCase();
  const format = FORMATS.find((ext) => lower.endsWith(ext));
  if (!format) {
    throw new TierwiseError(
      'DATASET_TYPE_UNSUPPORTED',
      `${filename || 'the file'} is not a dataset: upload a .zip / .tar.gz archive (images, or text with its vocab.txt / tokenizer.json), a .jsonl or a tensors .json`,
    );
  }
  return format;
}

export interface OpenedDataset {
  source: DatasetSource;
  /** The stored preprocess spec with its relative paths (vocab.txt, tokenizer.json) resolved inside the data. */
  preprocess?: PreprocessSpec;
  close(): Promise<void>;
}

/**
 * Makes a stored dataset readable: links the blob under its original ending, extracts archives safely, and
 * parses the preprocess spec against the extracted folder. Call close() when done.
 */
export async function openStoredDataset(
  blobPath: string,
  format: DatasetFormat,
  kind?: DatasetKind,
  preprocess?: unknown,
): Promise<OpenedDataset> {
  const temp = await mkdtemp(join(tmpdir(), 'tierwise-stored-'));
  const cleanupTemp = () => rm(temp, { recursive: true, force: true });
  try {
    const linked = join(temp, `dataset${format}`);
    await symlink(blobPath, linked);
    const source = await openDatasetSource(linked, kind);
    const close = async () => {
      await source.cleanup();
      await cleanupTemp();
    };
    try {
      return {
        source,
        preprocess:
          preprocess === undefined || preprocess === null ? undefined : parsePreprocess(preprocess, source.dir, { untrusted: true }),
        close,
      };
    } catch (error) {
      await close();
      throw error;
    }
  } catch (error) {
    await cleanupTemp();
    throw error;
  }
}
