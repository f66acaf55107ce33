import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isTierwiseError } from '../errors';

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  errorId?: string;
}

const codesByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

const logger = new Logger('Errors');

/** Maps any thrown value to a status and a body with a code; unknown errors become 500 with a logged error id. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (isTierwiseError(error)) {
    return { status: error.status, body: { code: error.code, message: error.message, details: error.details } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    if (typeof response === 'object' && response !== null) {
      const r = response as { code?: string; message?: string | string[] };
      const message = Array.isArray(r.message) ? r.message.join('; ') : r.message ?? error.message;
      const code = r.code ?? (status === 400 && Array.isArray(r.message) ? 'VALIDATION_FAILED' : codesByStatus[status] ?? 'HTTP_ERROR');
      return { status, body: { code, message } };
    }
    return { status, body: { code: codesByStatus[status] ?? 'HTTP_ERROR', message: String(response) } };
  }
  const errorId = randomUUID();
  logger.error(`unhandled error ${errorId}: ${error instanceof Error ? error.stack : String(error)}`);
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: 'INTERNAL', message: `internal error (id ${errorId})`, errorId } };
}
