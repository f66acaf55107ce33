export const WEBHOOK_EVENTS = ['study.completed', 'study.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Sent by `POST /v1/webhooks/:id/test`, whatever the endpoint subscribes to. */
export const PING_EVENT = 'webhook.test';

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  createdAt: string;
}

/** Only the creation answer carries the secret. */
export interface CreatedWebhookView extends WebhookView {
  secret: string;
}

export interface AttemptLogEntry {
  attempt: number;
  at: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface DeliveryView {
  id: string;
  endpointId: string | null;
  studyId: string | null;
  url: string;
  event: string;
  messageId: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  log: AttemptLogEntry[];
}

/** The stored body of a message: the exact JSON sent on every attempt. */
export interface WebhookMessage {
  type: string;
  timestamp: string;
  data: object;
}
