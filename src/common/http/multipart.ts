import busboy from 'busboy';
import type { Request } from 'express';
import { AsyncResource } from 'node:async_hooks';
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

const malformed = (detail: string) => new TierwiseError('UPLOAD_MALFORMED', `malformed multipart body: ${detail}`);

/**
 * Reads a multipart upload with exactly one part named `file`, handing its stream to `consume` as it arrives
 * (nothing is buffered whole). Text fields may come before or after the file.
 *
 * The one place upload streams are wired: every stream (the request, the parser, each part, the relay handed
 * to `consume`) has its error handled, and a client that hangs up or sends a truncated body destroys the relay
 * with a 400 so `consume` (the blob store) closes its file handle and removes its temp file.
 */
export function readMultipart<T, U = never>(
  req: Request,
  maxFileBytes: number,
  consume: (stream: Readable, filename: string) => Promise<T>,
  extra?: ExtraFiles<U>,
): Promise<MultipartResult<T, U>> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new TierwiseError('UPLOAD_NOT_MULTIPART', 'send the upload as multipart/form-data with a `file` part'));
  }
  // Parser events run in the socket's async context; `consume` runs in the request's (its blob leases live there).
  const consumeHere = AsyncResource.bind(consume);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: 1 + (extra?.max ?? 0), fields: 50, fieldSize: 1024 * 1024, fileSize: maxFileBytes },
    });
  } catch (error) {
    // e.g. "Multipart: Boundary not found", an unsupported charset.
    return Promise.reject(malformed((error as Error).message));
  }
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let consumed: Promise<T> | undefined;
    let relay: PassThrough | undefined;
    const extraRelays: PassThrough[] = [];
    const extras: Array<Promise<U>> = [];
    let filename = '';
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      const reason = error instanceof Error ? error : new Error(String(error));
      relay?.destroy(reason);
      for (const other of extraRelays) other.destroy(reason);
      req.unpipe(parser);
      parser.removeAllListeners('close');
      parser.on('error', () => undefined);
      // Not synchronously: `fail` may run inside the parser's own write (a 'limit' or 'error' callback).
      setImmediate(() => parser.destroy());
      const answer = () => {
        // Wait for `consume` to have cleaned up (temp file removed) before answering.
        void Promise.allSettled([consumed ?? Promise.resolve(), ...extras]).then(() => reject(error));
      };
      drainThen(req, answer);
    };
    const aborted = () => {
      if (!req.complete) fail(new TierwiseError('UPLOAD_ABORTED', 'the client closed the connection before the upload was complete'));
    };
    req.on('error', aborted);
    req.on('close', aborted);
    parser.on('field', (name, value) => {
      if (name.includes('\u0000')) {
        fail(malformed('a field name contains a NUL byte'));
        return;
      }
      fields[name] = value.replaceAll('\u0000', '');
    });
    parser.on('file', (name, stream, info) => {
      stream.on('error', (error: Error) => fail(malformed(error.message)));
      if (extra && name !== 'file' && !settled) {
        const part = new PassThrough();
        part.on('error', () => undefined);
        extraRelays.push(part);
        stream.on('limit', () =>
          fail(new TierwiseError('UPLOAD_TOO_LARGE', `upload exceeds the limit of ${maxFileBytes} bytes`, { maxBytes: maxFileBytes })),
        );
        stream.pipe(part);
        const done = Promise.resolve().then(() =>
          AsyncResource.bind(extra.consume)(part, (info.filename ?? '').replaceAll('\u0000', ''), name),
        );
        done.catch(fail);
        extras.push(done);
        return;
      }
      if (name !== 'file' || consumed || settled) {
        stream.resume();
        return;
      }
      filename = (info.filename ?? '').replaceAll('\u0000', '');
      const pass = new PassThrough();
      // `consume` sees the error through its own pipeline; this listener keeps an error raised before it
      // attached (or after it finished) from becoming an uncaught exception.
      pass.on('error', () => undefined);
      relay = pass;
      stream.on('limit', () =>
        fail(new TierwiseError('UPLOAD_TOO_LARGE', `upload exceeds the limit of ${maxFileBytes} bytes`, { maxBytes: maxFileBytes })),
      );
      stream.pipe(pass);
      consumed = Promise.resolve().then(() => consumeHere(pass, filename));
      consumed.catch(fail);
    });
    parser.on('error', (error) => fail(malformed((error as Error).message)));
    parser.on('close', () => {
      if (settled) return;
      if (!consumed) {
        fail(new TierwiseError('UPLOAD_MISSING_FILE', 'the multipart body has no `file` part'));
        return;
      }
      Promise.all([consumed, ...extras]).then(([file, ...rest]) => {
        if (settled) return;
        settled = true;
        resolve({ fields, file: file as T, filename, extras: rest as U[] });
      }, fail);
    });
    req.pipe(parser);
  });
}

/**
 * Discards the rest of a rejected upload before answering, so that the client reads our 4xx instead of a reset
 * connection; gives up (and lets the socket close) after a bounded amount of data or time.
 */
function drainThen(req: Request, answer: () => void): void {
  if (req.readableEnded || req.destroyed) {
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
  req.once('close', once);
  req.resume();
}
