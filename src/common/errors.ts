/**
 * A failure the caller can act on. Engines (onnx, operators, benchmark, advisor, datasets/formats) throw it
 * without knowing about HTTP; the api maps `status` once at the edge (REST status, GraphQL extension) and the
 * CLI prints `code: message`. Anything that is not a TierwiseError is a bug and becomes a 500 with an error id.
 */
export class TierwiseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TierwiseError';
  }
}

export function isTierwiseError(error: unknown): error is TierwiseError {
  return error instanceof TierwiseError;
}
