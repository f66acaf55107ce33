import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { toErrorBody } from './error-body';

/** The one place errors become HTTP responses (`{error: {code, message}}`) or GraphQL errors (extensions.code). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    const { status, body } = toErrorBody(exception);
    if (host.getType<string>() === 'graphql') {
      return new GraphQLError(body.message, { extensions: { code: body.code, status, details: body.details, errorId: body.errorId } });
    }
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    const retryAfter = body.details?.retryAfterS;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    response.status(status).json({ error: body });
    return;
  }
}
