import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { withCorrelationId } from '../correlation';

const ID = Symbol('correlationId');
type Tagged = IncomingMessage & { [ID]?: string };

/** The request's correlation id: the caller's `X-Correlation-Id` when well-formed, else a new one; fixed per request. */
export function requestCorrelationId(req: IncomingMessage): string {
  const tagged = req as Tagged;
  if (!tagged[ID]) {
    const given = req.headers['x-correlation-id'];
    tagged[ID] = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  }
  return tagged[ID];
}

/** Echoes the correlation id and scopes the request's work (and the jobs it enqueues) to it. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const id = requestCorrelationId(req);
  res.setHeader('X-Correlation-Id', id);
  withCorrelationId(id, next);
}
