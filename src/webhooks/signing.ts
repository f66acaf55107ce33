import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and the base64 of 24 random bytes (Standard Webhooks' format). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** The HMAC key is the secret's base64-decoded bytes after the prefix, not its text. */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/** The `webhook-signature` header value: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`. */
export function signMessage(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** True when any of the space-separated signatures in a `webhook-signature` header is ours (what a receiver checks). */
export function verifySignature(secret: string, messageId: string, timestampSeconds: number, body: string, header: string): boolean {
  const expected = Buffer.from(signMessage(secret, messageId, timestampSeconds, body));
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * The `webhook-id` of a study's event: derived from the study, so a repeated emit (an advise job retried)
 * yields the same id and receivers can drop the duplicate; other messages get a random id.
 */
export function messageIdFor(teamId: string, event: string, studyId?: string): string {
  const seed = studyId ? `${teamId}:${studyId}:${event}` : randomBytes(16).toString('hex');
  return `msg_${createHash('sha256').update(seed).digest('base64url').slice(0, 27)}`;
}

export function signedHeaders(secret: string, messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signMessage(secret, messageId, timestampSeconds, body),
  };
}
