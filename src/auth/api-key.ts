import { createHash, randomBytes } from 'node:crypto';

/** A new secret key: `tw_` + 32 random bytes, base64url. Only its sha256 is stored. */
export function generateApiKey(): string {
  return 'tw_' + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}
