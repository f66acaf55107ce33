import { httpStatusOf, publicCodeOf, type ErrorCode } from './catalogue';
import type { HttpErrorStatus } from './entry';

/**
 * A failure the caller can act on. Engines (onnx, operators, benchmark, advisor, datasets/formats) throw it with
 * a catalogue code and no HTTP status; the api maps the code once at the edge (REST status, GraphQL extension)
 * and the CLI prints `code: message`. Anything that is not a TierwiseError is a bug and becomes a 500 with an
 * error id.
 */
export class TierwiseError extends Error {
  /** The code clients see (`error.code` in a REST body, `extensions.code` in GraphQL, a study's failure code). */
  readonly code: ErrorCode;

  constructor(
    /** The catalogue row: decides the HTTP status (and, through `publicCode`, the code clients see). */
    readonly entry: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TierwiseError';
    this.code = publicCodeOf(entry);
  }

  /** The catalogue's status for this error's row (what the REST filter answers with). */
  get status(): HttpErrorStatus {
    return httpStatusOf(this.entry);
  }
}

export function isTierwiseError(error: unknown): error is TierwiseError {
  return error instanceof TierwiseError;
}
