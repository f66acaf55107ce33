import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough, type Readable } from 'node:stream';
import { TierwiseError } from '../errors';

export interface MultipartResult<T, U = never> {
  fields: Record<string, string>;
  file: T;
  filename: string;
  /** Further file parts (any field name but `file`), when `extra` asked for them. */
  extras: U[];
}

/** Accept up to `max` further file parts, each streamed to `consume` (e.g. a model's external data files). */
export interface ExtraFiles<U> {
  max: number;
  consume: (stream: Readable, filename: string, field: string) => Promise<U>;
}

/**
 * Reads a multipart upload with exactly one part named `file`, handing its stream to `consume` as it arrives
 * (nothing is buffered whole). Text fields may come before or after the file.
 */
export function readMultipart<T, U = never>(
  req: Request,
  maxFileBytes: number,
  consume: (stream: Readable, filename: string) => Promise<T>,
  extra?: ExtraFiles<U>,
): Promise<MultipartResult<T, U>> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new TierwiseError('UPLOAD_NOT_MULTIPART', 'send the upload as multipart/form-data with a `file` part', 415));
  }
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let consumed: Promise<T> | undefined;
    let filename = '';
    const extras: Array<Promise<U>> = [];
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      drainThen(req, () => reject(error));
    };
    const parser = busboy({ headers: req.headers, limits: { files: 1 + (extra?.max ?? 0), fields: 50, fieldSize: 1024 * 1024, fileSize: maxFileBytes } });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (extra && name !== 'file') {
        const relay = new PassThrough();
        stream.on('limit', () => relay.destroy(new TierwiseError('UPLOAD_TOO_LARGE', `upload exceeds the limit of ${maxFileBytes} bytes`, 413)));
        stream.pipe(relay);
        const done = Promise.resolve().then(() => extra.consume(relay, info.filename ?? '', name));
        done.catch(fail);
        extras.push(done);
        return;
      }
      if (name !== 'file' || consumed) {
        stream.resume();
        return;
      }
      filename = info.filename ?? '';
      const relay = new PassThrough();
      stream.on('limit', () => relay.destroy(new TierwiseError('UPLOAD_TOO_LARGE', `upload exceeds the limit of ${maxFileBytes} bytes`, 413)));
      stream.pipe(relay);
      consumed = Promise.resolve().then(() => consume(relay, filename));
      consumed.catch(fail);
    });
    parser.on('error', (error) => fail(new TierwiseError('UPLOAD_MALFORMED', `malformed multipart body: ${(error as Error).message}`, 400)));
    parser.on('close', () => {
      if (failed) return;
      if (!consumed) {
        fail(new TierwiseError('UPLOAD_MISSING_FILE', 'the multipart body has no `file` part', 400));
        return;
      }
      Promise.all([consumed, ...extras]).then(([file, ...rest]) => resolve({ fields, file: file as T, filename, extras: rest as U[] }), fail);
    });
    req.pipe(parser);
  });
}

/**
 * Discards the rest of a rejected upload before answering, so that the client reads our 4xx instead of a reset
 * connection; gives up (and lets the socket close) after a bounded amount of data or time.
 */
function drainThen(req: Request, answer: () => void): void {
  if (req.readableEnded) {
    answer();
    return;
  }
  let drained = 0;
  let answered = false;
  const once = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    answer();
  };
  const timer = setTimeout(once, 30_000);
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 64 * 1024 * 1024) once();
  });
  req.once('end', once);
  req.once('error', once);
  req.resume();
}
