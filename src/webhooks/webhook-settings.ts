import { z } from 'zod';

export interface WebhookSettings {
  /** Multiplies every retry delay; tests set WEBHOOK_RETRY_SCALE=0.001 so a day of retries takes seconds. */
  retryScale: number;
  timeoutMs: number;
}

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

const scale = z.coerce.number().positive().max(1).default(1);

/** Reads the webhook knobs; a bad WEBHOOK_RETRY_SCALE stops the boot rather than silently retrying on the wrong clock. */
export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const parsed = scale.safeParse(env.WEBHOOK_RETRY_SCALE === '' ? undefined : env.WEBHOOK_RETRY_SCALE);
  if (!parsed.success)
    throw new Error(`Invalid configuration:\n  WEBHOOK_RETRY_SCALE: ${parsed.error.issues[0].message} (a number in (0, 1])`);
  return { retryScale: parsed.data, timeoutMs: 5000 };
}
