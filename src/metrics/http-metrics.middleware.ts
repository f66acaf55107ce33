import type { NextFunction, Request, Response } from 'express';
import { httpDuration } from './metrics';

/** Times every request, labelled by its route pattern (`/v1/models/:id`), so ids do not explode the label set. */
export function httpMetricsMiddleware(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const pattern = (req.route as { path?: string } | undefined)?.path;
    end({ method: req.method, route: pattern ? `${req.baseUrl}${pattern}` : 'unmatched', status: String(res.statusCode) });
  });
  next();
}
