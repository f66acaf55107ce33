import { createHash, randomBytes } from 'node:crypto';
import { keyHmac, type ServerSecrets } from '../config/server-secrets';

export const KEY_SCHEME = 'hmac-sha256';
export const LEGACY_SCHEME = 'sha256';

/** A new secret key: `tw_` + 32 random bytes, base64url. Only its HMAC is stored. */
export function generateApiKey(): string {
  return 'tw_' + randomBytes(32).toString('base64url');
}

/** What the ApiKey row stores: HMAC-SHA256 under the server's key secret, so a leaked table cannot be brute-forced offline. */
export function hashApiKey(secrets: ServerSecrets, key: string): string {
  return keyHmac(secrets, key);
}

/** The unsalted sha256 keys were stored with before migration 0008. */
export function legacyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `tw_` + 4 characters (24 bits) for generated keys; nothing of a custom key, which may be short. */
export function keyPrefix(key: string): string {
  return /^tw_[A-Za-z0-9_-]{43}$/.test(key) ? key.slice(0, 7) : '';
}

/**
 * What a key may do: a `team` key is the team's admin and calls every /v1 route of its team; a `member` key calls
 * them all but those that change the team's set-up (its tiers, its keys), for the people who only run studies; a
 * `worker` token (a pool member on another machine) calls only /v1/worker: take its tiers' jobs, fetch those
 * jobs' inputs, post their results.
 */
export const KEY_KINDS = ['team', 'member', 'worker'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** A stored kind; anything unknown gets the narrowest rights. */
export function asKeyKind(value: string): KeyKind {
  return value === 'team' || value === 'member' ? value : 'worker';
}
