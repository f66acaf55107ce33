import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TeamRef } from '../auth/teams.repository';
import { TierwiseError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { assertDeliverableUrl } from './address-guard';
import { DeliveryQueue } from './delivery-queue';
import { generateSecret, messageIdFor } from './signing';
import type { CreateWebhookDto } from './webhook.types';
import {
  PING_EVENT,
  WEBHOOK_EVENTS,
  type CreatedWebhookView,
  type DeliveryView,
  type WebhookEvent,
  type WebhookView,
} from './webhook.views';
import { WebhooksRepository, type DeliveryTarget } from './webhooks.repository';

export interface EmitOptions {
  /** The study's own webhookUrl, sent besides the team's endpoints and signed with the team's signing secret. */
  extraUrl?: string;
  /** Makes the message id stable, so a repeated emit for the same study and event is one message. */
  studyId?: string;
}

const SIGNS = "deliveries to a study's own webhookUrl; registered endpoints use their own secrets";

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: WebhooksRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async create(team: TeamRef, input: CreateWebhookDto): Promise<CreatedWebhookView> {
    const url = await assertDeliverableUrl(input.url, this.config.ALLOW_PRIVATE_WEBHOOKS);
    const events = input.events ?? [...WEBHOOK_EVENTS];
    return this.repository.createEndpoint(team.id, url.href, events, generateSecret(), input.description ?? null);
  }

  list(team: TeamRef): Promise<WebhookView[]> {
    return this.repository.listEndpoints(team.id);
  }

  async get(team: TeamRef, id: string): Promise<WebhookView> {
    const endpoint = await this.repository.findEndpoint(team.id, id);
    if (!endpoint) throw new TierwiseError('WEBHOOK_NOT_FOUND', `no webhook ${id}`);
    return endpoint;
  }

  async delete(team: TeamRef, id: string): Promise<void> {
    if (!(await this.repository.deleteEndpoint(team.id, id))) throw new TierwiseError('WEBHOOK_NOT_FOUND', `no webhook ${id}`);
  }

  async deliveries(team: TeamRef, id: string, limit = 20, cursor?: string): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    await this.get(team, id);
    return this.repository.listDeliveries(id, Math.min(Math.max(limit, 1), 100), cursor);
  }

  /** Queues a `webhook.test` message to the endpoint (whatever it subscribes to); answers the queued delivery. */
  async ping(team: TeamRef, id: string): Promise<DeliveryView> {
    const endpoint = await this.get(team, id);
    const data = { endpointId: endpoint.id, message: 'Tierwise webhook test' };
    const [deliveryId] = await this.send(team.id, PING_EVENT, data, [{ endpointId: endpoint.id, url: endpoint.url }]);
    const delivery = await this.repository.findDeliveryView(deliveryId);
    if (!delivery) throw new TierwiseError('WEBHOOK_NOT_FOUND', `no webhook ${id}`);
    return delivery;
  }

  /** Whether the team has a signing secret, and since when; the secret itself is shown only by rotateSigningSecret. */
  async signingSecret(team: TeamRef): Promise<{ createdAt: string | null; signs: string; shown: string }> {
    const createdAt = await this.repository.signingSecretCreatedAt(team.id);
    return {
      createdAt: createdAt?.toISOString() ?? null,
      signs: SIGNS,
      shown: 'only once, by POST /v1/webhooks/signing-secret, which replaces it',
    };
  }

  /** A new secret for deliveries to studies' own webhookUrl (they have no endpoint, hence no secret of their own), shown this once. */
  async rotateSigningSecret(team: TeamRef): Promise<{ secret: string; createdAt: string; signs: string }> {
    const secret = generateSecret();
    const createdAt = await this.repository.rotateSigningSecret(team.id, secret);
    return { secret, createdAt: createdAt.toISOString(), signs: SIGNS };
  }

  /**
   * Sends `event` to every endpoint of the team that subscribes to it, and to `extraUrl` unless an endpoint
   * already has that URL; each target gets one delivery, attempted by the webhook workers and retried for a day.
   */
  async emit(teamId: string, event: WebhookEvent, data: object, options: EmitOptions = {}): Promise<void> {
    const endpoints = await this.repository.subscribedEndpoints(teamId, event);
    const targets: DeliveryTarget[] = endpoints.map((e) => ({ endpointId: e.id, url: e.url }));
    const extraUrl = options.extraUrl === undefined ? null : this.httpUrl(options.extraUrl);
    if (extraUrl && !endpoints.some((e) => e.url === extraUrl)) targets.push({ endpointId: null, url: extraUrl });
    await this.send(teamId, event, data, targets, options.studyId);
  }

  /** A study's webhookUrl was validated when the study was submitted; one that still isn't http(s) is skipped, not retried for a day. */
  private httpUrl(url: string): string | null {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.href;
    } catch {
      // reported below
    }
    this.logger.warn(`skipping webhookUrl ${JSON.stringify(url)}: not an http(s) URL`);
    return null;
  }

  private async send(teamId: string, event: string, data: object, targets: DeliveryTarget[], studyId?: string): Promise<string[]> {
    if (targets.length === 0) return [];
    const message = { type: event, timestamp: new Date().toISOString(), data };
    const messageId = messageIdFor(teamId, event, studyId);
    const ids = await this.repository.createDeliveries({ teamId, studyId: studyId ?? null, event, messageId, payload: message }, targets);
    for (const id of ids) await this.queue.enqueue(id, 1);
    return ids;
  }
}
