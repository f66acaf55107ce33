import type { NextFunction, Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { httpStatusOf, type ErrorCode } from '../common/errors';
import { loadConfig } from '../config/env';

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key a request offers: `Authorization: Bearer <key>`, or Basic with the key as the password (what a browser asks for). */
function offeredKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

function refuse(res: Response, code: ErrorCode, message: string): void {
  const status = httpStatusOf(code);
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="tierwise admin", charset="UTF-8"');
  res.status(status).json({ code, message });
}

/**
 * Guards the operator pages under /admin with `ADMIN_API_KEY` (team API keys do not open them): 404 when no admin
 * key is configured, 401 without the right key.
 */
export function adminAuth(req: Request, res: Response, next: NextFunction): void {
  const adminKey = loadConfig().ADMIN_API_KEY;
  if (!adminKey) return refuse(res, 'ADMIN_DISABLED', 'the admin pages are off: set ADMIN_API_KEY to turn them on');
  const offered = offeredKey(req.header('authorization'));
  if (!offered || !same(offered, adminKey))
    return refuse(res, 'ADMIN_KEY_REQUIRED', 'the admin pages need ADMIN_API_KEY, as a Bearer token or as the Basic password');
  next();
}
