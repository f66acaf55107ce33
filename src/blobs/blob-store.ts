import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TierwiseError } from '../common/errors';

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
  path: string;
}

/**
 * Content-addressed files on the local filesystem: `<dir>/<sha[0..2]>/<sha>`. The same bytes are stored once.
 * Several machines share it by mounting the same directory (the S3-compatible variant would implement the same methods).
 */
export class BlobStore {
  constructor(private readonly dir: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TierwiseError('BLOB_INVALID', `not a sha256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * A model whose weights live in external files: `<dir>/bundles/<sha of the .onnx>/` holds `model.onnx` and the
   * data files at the relative paths the model names (see src/models/external-data.ts). Removed with the blob.
   */
  bundleDir(sha256: string): string {
    this.pathOf(sha256);
    return join(this.dir, 'bundles', sha256);
  }

  /** Streams `source` into the store, hashing on the way; never holds the whole file in memory. */
  async write(source: Readable, maxBytes: number): Promise<StoredBlob> {
    const { tmp, sha256, sizeBytes } = await this.writeTemp(source, maxBytes);
    return this.adopt(tmp, sha256, sizeBytes);
  }

  /** Streams `source` to a temp file (removed again on any error), returning its hash; `adopt` moves it in place. */
  async writeTemp(source: Readable, maxBytes: number): Promise<{ tmp: string; sha256: string; sizeBytes: number }> {
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) {
          done(new TierwiseError('UPLOAD_TOO_LARGE', `upload exceeds the limit of ${maxBytes} bytes`, { maxBytes }));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx' }));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    return { tmp, sha256: hash.digest('hex'), sizeBytes: size };
  }

  /** Writes bytes to a temp file, returning its hash; `adopt` moves it in place. */
  async putTemp(bytes: Uint8Array): Promise<{ tmp: string; sha256: string; sizeBytes: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    await pipeline(
      async function* () {
        yield bytes;
      },
      createWriteStream(tmp, { flags: 'wx' }),
    );
    return { tmp, sha256, sizeBytes: bytes.byteLength };
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha256);
    if (await exists(target)) return { sha256, sizeBytes: bytes.byteLength, path: target };
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    await pipeline(
      async function* () {
        yield bytes;
      },
      createWriteStream(tmp, { flags: 'wx' }),
    );
    return this.adopt(tmp, sha256, bytes.byteLength);
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }

  stream(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.pathOf(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
    await rm(this.bundleDir(sha256), { recursive: true, force: true });
  }

  /** Moves a temp file to its content address (or drops it when the same bytes are already there). */
  async adopt(tmp: string, sha256: string, sizeBytes: number): Promise<StoredBlob> {
    const target = this.pathOf(sha256);
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    if (await exists(target)) await rm(tmp, { force: true });
    else await rename(tmp, target);
    return { sha256, sizeBytes, path: target };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
