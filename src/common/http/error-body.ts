import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { httpStatusOf, isTierwiseError, type ErrorCode } from '../errors';

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  errorId?: string;
}

/** Codes for framework HttpExceptions (a Nest pipe, a guard, an unknown route) that carry no code of their own. */
const codesByStatus: Record<number, ErrorCode> = {
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
    return { status: httpStatusOf(error.entry), body: { code: error.code, message: error.message, details: error.details } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    if (typeof response === 'object' && response !== null) {
      const r = response as { code?: string; message?: string | string[] };
      const message = Array.isArray(r.message) ? r.message.join('; ') : (r.message ?? error.message);
      const code = r.code ?? (status === 400 && Array.isArray(r.message) ? 'VALIDATION_FAILED' : (codesByStatus[status] ?? 'HTTP_ERROR'));
      return { status, body: { code, message } };
    }
    return { status, body: { code: codesByStatus[status] ?? 'HTTP_ERROR', message: String(response) } };
  }
  const framework = frameworkError(error);
  if (framework) return framework;
  const errorId = randomUUID();
  logger.error(`unhandled error ${errorId}: ${error instanceof Error ? error.stack : String(error)}`);
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: 'INTERNAL', message: `internal error (id ${errorId})`, errorId } };
}

/** body-parser (http-errors `type`s) and zlib errors: client mistakes, each with its own code. */
const BODY_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  'entity.too.large': { code: 'BODY_TOO_LARGE', message: 'the request body is over the limit' },
  'charset.unsupported': { code: 'UNSUPPORTED_CHARSET', message: 'unsupported charset: send the body as utf-8' },
  'encoding.unsupported': { code: 'UNSUPPORTED_ENCODING', message: 'unsupported Content-Encoding: send identity, gzip or deflate' },
  'entity.parse.failed': { code: 'BODY_MALFORMED', message: 'the request body is not valid JSON' },
  'entity.verify.failed': { code: 'BODY_MALFORMED', message: 'the request body failed verification' },
  'request.aborted': { code: 'REQUEST_ABORTED', message: 'the client closed the connection before the body was complete' },
  'request.size.invalid': { code: 'BODY_MALFORMED', message: 'the request body is shorter or longer than its Content-Length' },
  'stream.encoding.set': { code: 'BODY_MALFORMED', message: 'the request body could not be read' },
  'parameters.too.many': { code: 'BODY_TOO_LARGE', message: 'too many parameters' },
};

function frameworkError(error: unknown): { status: number; body: ErrorBody } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { type?: unknown; status?: unknown; statusCode?: unknown; code?: unknown; message?: unknown; limit?: unknown };
  if (typeof e.type === 'string' && BODY_ERRORS[e.type]) {
    const known = BODY_ERRORS[e.type];
    const details = typeof e.limit === 'number' ? { limitBytes: e.limit } : undefined;
    return {
      status: httpStatusOf(known.code),
      body: { code: known.code, message: typeof e.limit === 'number' ? `${known.message} of ${e.limit} bytes` : known.message, details },
    };
  }
  if (typeof e.code === 'string' && /^Z_(DATA|BUF|STREAM)_ERROR$/.test(e.code)) {
    return {
      status: httpStatusOf('BODY_ENCODING_INVALID'),
      body: { code: 'BODY_ENCODING_INVALID', message: 'the request body is not valid for its Content-Encoding' },
    };
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = codesByStatus[status] ?? 'BAD_REQUEST';
    return { status, body: { code, message: typeof e.message === 'string' ? e.message.slice(0, 300) : code } };
  }
  return undefined;
}
