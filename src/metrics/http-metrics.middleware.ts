import type { NextFunction, Request, Response } from 'express';
import { httpDuration } from './metrics';

export function httpMetricsMiddleware(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = (req.route as { path?: string } | undefined)?.path ?? (req.baseUrl || req.path.split('/').slice(0, 3).join('/'));
    end({ method: req.method, route: `${req.baseUrl ?? ''}${route === req.baseUrl ? '' : route}`, status: String(res.statusCode) });
  });
  next();
}
