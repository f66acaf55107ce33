import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { withCorrelationId } from '../correlation';

/** Takes `X-Correlation-Id` from the caller (or makes one), echoes it, and scopes the request's work to it. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-correlation-id');
  const id = given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Correlation-Id', id);
  withCorrelationId(id, next);
}
