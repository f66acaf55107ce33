import { errorCodes } from '../entry';

/** Webhook subscriptions and their target URLs. */
export const WEBHOOK_ERRORS = errorCodes({
  WEBHOOK_NOT_FOUND: { status: 404, meaning: 'no webhook with that id (for this team)' },
  WEBHOOK_URL_INVALID: { status: 400, meaning: 'the webhook url is not an http(s) URL' },
  WEBHOOK_URL_UNRESOLVABLE: { status: 400, meaning: 'the webhook host does not resolve' },
  WEBHOOK_URL_FORBIDDEN: { status: 400, meaning: 'the webhook host resolves to a private, loopback or link-local address' },
});
