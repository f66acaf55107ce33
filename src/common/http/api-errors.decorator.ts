import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { errorEntry, httpStatusOf, publicCodeOf, type ErrorCode } from '../errors';

/** What every authenticated route may answer besides its own codes. */
export const AUTHENTICATED_ERRORS = ['UNAUTHENTICATED', 'WORKER_TOKEN_FORBIDDEN'] as const satisfies readonly ErrorCode[];
/** What every /v1/worker route may answer before its handler runs. */
export const WORKER_ROUTE_ERRORS = ['UNAUTHENTICATED', 'WORKER_TOKEN_REQUIRED'] as const satisfies readonly ErrorCode[];
/** What every multipart upload route may answer before a feature sees the file. */
export const UPLOAD_ERRORS = [
  'UPLOAD_NOT_MULTIPART',
  'UPLOAD_MALFORMED',
  'UPLOAD_MISSING_FILE',
  'UPLOAD_ABORTED',
  'UPLOAD_TOO_LARGE',
] as const satisfies readonly ErrorCode[];
/** What a route with a validated JSON body may answer. */
export const JSON_BODY_ERRORS = ['VALIDATION_FAILED', 'BODY_MALFORMED', 'BODY_TOO_LARGE'] as const satisfies readonly ErrorCode[];

/** The `{error: {...}}` body of every error answer, with the codes one status of one route may carry. */
function errorSchema(codes: string[]): SchemaObject {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: codes },
          message: { type: 'string' },
          details: { type: 'object', additionalProperties: true },
          errorId: { type: 'string', description: 'for a 500: the id the server logged the error under' },
        },
      },
    },
  };
}

/**
 * Documents the error codes a route may answer: one OpenAPI response per status (read from the catalogue, so
 * the document and the REST filter agree), its schema's `error.code` an enum of the codes, its description
 * each code's meaning.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, Map<string, string>>();
  for (const code of codes) {
    const status = httpStatusOf(code);
    const rows = byStatus.get(status) ?? new Map<string, string>();
    const shown = publicCodeOf(code);
    const meaning = errorEntry(code).meaning;
    rows.set(shown, rows.has(shown) ? `${rows.get(shown)}; ${meaning}` : meaning);
    byStatus.set(status, rows);
  }
  const responses = [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, rows]) =>
      ApiResponse({
        status,
        description: [...rows].map(([code, meaning]) => `\`${code}\`: ${meaning}`).join('\n\n'),
        // Always JSON, whatever the route produces on success (an event stream, a CSV report).
        content: { 'application/json': { schema: errorSchema([...rows.keys()]) } },
      }),
    );
  return applyDecorators(...responses) as MethodDecorator & ClassDecorator;
}
