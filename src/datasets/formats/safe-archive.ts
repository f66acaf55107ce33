import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import * as yauzl from 'yauzl';
import { TierwiseError } from '../../common/errors';

export interface ArchiveLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Uncompressed / compressed, for the whole archive and for any entry bigger than 1 MiB. */
  maxRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 50_000, maxTotalBytes: 2 * 1024 ** 3, maxRatio: 200 };
const RATIO_CHECKED_ENTRY_BYTES = 1024 ** 2;

export type ArchiveFormat = 'zip' | 'tar.gz' | 'tar';

export function archiveFormat(path: string): ArchiveFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.tar')) return 'tar';
  return undefined;
}

function unsafe(entry: string, why: string): TierwiseError {
  return new TierwiseError('DATASET_UNSAFE', `archive entry ${JSON.stringify(entry)} ${why}`, { entry });
}

/** The entry's path segments, or an error when it could land outside the extraction folder. */
export function safeEntryPath(name: string): string[] {
  if (name.includes('\0')) throw unsafe(name, 'contains a NUL character');
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name)) throw unsafe(name, 'has an absolute path');
  const segments = name.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw unsafe(name, 'escapes the archive folder (..)');
  return segments;
}

class Budget {
  private entries = 0;
  private bytes = 0;

  constructor(
    private readonly limits: ArchiveLimits,
    private readonly archiveBytes: number,
  ) {}

  addEntry(name: string, uncompressed: number, compressed?: number): void {
    if (++this.entries > this.limits.maxEntries) throw unsafe(name, `exceeds the limit of ${this.limits.maxEntries} entries`);
    this.bytes += uncompressed;
    if (this.bytes > this.limits.maxTotalBytes) throw unsafe(name, `takes the uncompressed total over ${this.limits.maxTotalBytes} bytes`);
    if (compressed !== undefined && uncompressed > RATIO_CHECKED_ENTRY_BYTES && uncompressed > compressed * this.limits.maxRatio) {
      throw unsafe(name, `has a compression ratio over ${this.limits.maxRatio} (zip bomb?)`);
    }
    if (this.bytes > RATIO_CHECKED_ENTRY_BYTES && this.bytes > this.archiveBytes * this.limits.maxRatio) {
      throw unsafe(name, `takes the archive's compression ratio over ${this.limits.maxRatio} (zip bomb?)`);
    }
  }
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, decodeStrings: true, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    );
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

async function extractZip(path: string, dest: string, budget: Budget): Promise<void> {
  const zip = await openZip(path);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      zip.close();
      reject(error);
    };
    zip.on('error', fail);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const handle = async (): Promise<void> => {
        const segments = safeEntryPath(entry.fileName);
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        const isDir = entry.fileName.endsWith('/') || mode === S_IFDIR;
        if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) throw unsafe(entry.fileName, 'is a link or special file');
        budget.addEntry(entry.fileName, entry.uncompressedSize, entry.compressedSize);
        if (segments.length === 0) return;
        const target = join(dest, ...segments);
        if (isDir) {
          await mkdir(target, { recursive: true });
          return;
        }
        await mkdir(dirname(target), { recursive: true });
        await pipeline(await openEntry(zip, entry), createWriteStream(target, { flags: 'wx' }));
      };
      handle().then(() => zip.readEntry(), fail);
    });
    zip.readEntry();
  });
}

const TAR_ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Checks every tar header before anything is written; stops reading at the first bad entry. The parser is fed by
 * hand so that nothing reaches it after the verdict, and an error it raises late (its inflater torn down
 * mid-chunk) settles nothing twice and never escapes as an uncaught exception.
 */
function scanTar(path: string, budget: Budget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const input = createReadStream(path);
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        if (settled) return entry.resume();
        try {
          safeEntryPath(entry.path);
          if (!TAR_ALLOWED.has(entry.type)) throw unsafe(entry.path, `is a ${entry.type}, only files and folders are allowed`);
          budget.addEntry(entry.path, entry.size ?? 0);
          entry.resume();
        } catch (error) {
          settle(error);
        }
      },
    });
    parser.on('end', () => settle());
    parser.on('error', (error) => settle(error));
    input.on('error', (error) => settle(error));
    input.on('data', (chunk) => {
      if (settled) return;
      try {
        parser.write(chunk as Buffer);
      } catch (error) {
        settle(error);
      }
    });
    input.on('end', () => {
      if (settled) return;
      try {
        parser.end();
      } catch (error) {
        settle(error);
      }
    });
  });
}

/**
 * Extracts a zip / tar.gz / tar into `dest` (which must not exist) without letting any entry escape it:
 * absolute or `..` paths, links and special files are refused, as is an archive over the entry-count, size or
 * compression-ratio limits. Everything lands in a temporary sibling folder first that is renamed at the end and
 * removed on any failure, so a rejected archive leaves nothing behind.
 */
export async function extractArchive(
  path: string,
  dest: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
  as?: ArchiveFormat,
): Promise<void> {
  const format = as ?? archiveFormat(path);
  if (!format) throw new TierwiseError('DATASET_INVALID', `${path} is not a .zip, .tar.gz, .tgz or .tar archive`);
  const budget = new Budget(limits, (await stat(path)).size);
  const partial = `${dest}.partial-${randomBytes(6).toString('hex')}`;
  await mkdir(partial, { recursive: true });
  try {
    if (format === 'zip') {
      await extractZip(path, partial, budget);
    } else {
      await scanTar(path, budget);
      await tar.x({ file: path, cwd: partial, strict: true, preservePaths: false, noChmod: true, preserveOwner: false });
    }
    await rename(partial, dest);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw asArchiveError(error, path);
  }
}

function asArchiveError(error: unknown, path: string): TierwiseError {
  if (error instanceof TierwiseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // yauzl refuses some unsafe names itself ("invalid relative path: ../x", "absolute path: /x").
  if (/relative path|absolute path/i.test(message)) return new TierwiseError('DATASET_UNSAFE', `archive ${path}: ${message}`);
  return new TierwiseError('DATASET_INVALID', `archive ${path} cannot be read: ${message}`);
}
