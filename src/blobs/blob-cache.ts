import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TierwiseError } from '../common/errors';
import { BlobStore } from './blob-store';

export interface BlobFetch {
  /** The blob's URL on the api, and the headers that authenticate the request. */
  url: string;
  headers: Record<string, string>;
  sha256: string;
  signal?: AbortSignal;
  /** Bytes on disk so far (resumed bytes included), after each chunk. */
  onProgress?: (bytes: number) => void;
}

export interface FetchedBlob {
  path: string;
  sizeBytes: number;
  /** 'cache': it was here already; 'download': fetched from byte 0; 'resumed': a partial download was continued. */
  source: 'cache' | 'download' | 'resumed';
  /** Where a resumed download continued from. */
  resumedFrom: number;
}

/**
 * A worker's own content-addressed copy of the blobs it needs, filled over HTTP from the api: `<dir>/<sha[0..2]>/<sha>`,
 * the same layout as the blob store. A download goes to `<dir>/partial/<sha>` first and is continued with an HTTP
 * Range request when it was cut off (a large model over a slow link need not start again); the finished file is
 * moved in place only once its sha256 matches its name, so nothing unverified is ever read from the cache.
 */
export class BlobCache {
  private readonly store: BlobStore;
  /** One download per sha at a time in this process. */
  private readonly inFlight = new Map<string, Promise<FetchedBlob>>();

  constructor(private readonly dir: string) {
    this.store = new BlobStore(dir);
  }

  pathOf(sha256: string): string {
    return this.store.pathOf(sha256);
  }

  has(sha256: string): Promise<boolean> {
    return this.store.has(sha256);
  }

  fetch(request: BlobFetch): Promise<FetchedBlob> {
    const pending = this.inFlight.get(request.sha256);
    if (pending) return pending;
    const started = this.download(request).finally(() => this.inFlight.delete(request.sha256));
    this.inFlight.set(request.sha256, started);
    return started;
  }

  private async download(request: BlobFetch): Promise<FetchedBlob> {
    const { sha256 } = request;
    const target = this.pathOf(sha256);
    const cached = await sizeOf(target);
    if (cached !== null) return { path: target, sizeBytes: cached, source: 'cache', resumedFrom: 0 };
    const partialDir = join(this.dir, 'partial');
    await mkdir(partialDir, { recursive: true });
    const partial = join(partialDir, sha256);
    let offset = (await sizeOf(partial)) ?? 0;
    const response = await fetch(request.url, {
      headers: { ...request.headers, ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}) },
      signal: request.signal,
    });
    if (response.status === 416 && offset > 0) {
      // The partial file is as long as the blob (or longer): check it as it is.
      await response.body?.cancel();
    } else if (response.status !== 200 && response.status !== 206) {
      throw await responseError(response, sha256);
    } else {
      if (response.status === 200) offset = 0;
      const body = response.body;
      if (!body) throw new TierwiseError('BLOB_FETCH_FAILED', `blob ${sha256}: the api sent no body`);
      let written = offset;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          written += chunk.length;
          request.onProgress?.(written);
          done(null, chunk);
        },
      });
      await pipeline(
        Readable.fromWeb(body as WebReadableStream<Uint8Array>),
        meter,
        createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' }),
        { signal: request.signal },
      );
    }
    const actual = await hashFile(partial);
    if (actual !== sha256) {
      await rm(partial, { force: true });
      throw new TierwiseError(
        'BLOB_CORRUPT',
        `blob ${sha256} arrived with sha256 ${actual}; the partial copy was dropped, fetch it again`,
        {
          expected: sha256,
          actual,
        },
      );
    }
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    await rename(partial, target);
    const sizeBytes = (await sizeOf(target)) ?? 0;
    return { path: target, sizeBytes, source: offset > 0 ? 'resumed' : 'download', resumedFrom: offset };
  }
}

async function responseError(response: Response, sha256: string): Promise<TierwiseError> {
  const text = await response.text().catch(() => '');
  let body: { error?: { code?: string; message?: string } } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not a Tierwise error body
  }
  return new TierwiseError(
    'BLOB_FETCH_FAILED',
    `blob ${sha256}: the api answered ${response.status}${body.error ? ` ${body.error.code}: ${body.error.message}` : ''}`,
    { status: response.status, code: body.error?.code },
  );
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
