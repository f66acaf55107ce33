import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough, type Readable } from 'node:stream';
import { TierwiseError } from '../errors';

export interface MultipartResult<T> {
  fields: Record<string, string>;
  file: T;
  filename: string;
}

/**
 * Reads a multipart upload with exactly one part named `file`, handing its stream to `consume` as it arrives
 * (nothing is buffered whole). Text fields may come before or after the file.
 */
export function readMultipart<T>(
  req: Request,
  maxFileBytes: number,
  consume: (stream: Readable, filename: string) => Promise<T>,
): Promise<MultipartResult<T>> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new TierwiseError('UPLOAD_NOT_MULTIPART', 'send the upload as multipart/form-data with a `file` part', 415));
  }
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let consumed: Promise<T> | undefined;
    let filename = '';
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      drainThen(req, () => reject(error));
    };
    const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 50, fieldSize: 1024 * 1024, fileSize: maxFileBytes } });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
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
      consumed.then((file) => resolve({ fields, file, filename }), fail);
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
