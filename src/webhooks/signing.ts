import { createHash, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export { WebhookVerificationError } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and the base64 of 24 random bytes (Standard Webhooks' format). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** The `webhook-signature` header value (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`), by the standardwebhooks library. */
export function signMessage(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  return new Webhook(secret).sign(messageId, new Date(timestampSeconds * 1000), body);
}

/**
 * What a receiver checks, by the standardwebhooks library: one of the header's signatures is ours and the
 * timestamp is within its tolerance (5 minutes) of now. Throws `WebhookVerificationError` otherwise.
 */
export function verifyWebhook(secret: string, headers: Record<string, string>, body: string): void {
  new Webhook(secret).verify(body, headers);
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
