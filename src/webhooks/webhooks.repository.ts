import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { isSealed, seal, serverSecrets, unseal, type ServerSecrets } from '../config/server-secrets';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { AttemptLogEntry, CreatedWebhookView, DeliveryStatus, DeliveryView, WebhookMessage, WebhookView } from './webhook.views';

type EndpointRow = Prisma.WebhookEndpointGetPayload<object>;
type DeliveryRow = Prisma.WebhookDeliveryGetPayload<object>;

function toWebhookView(row: EndpointRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    endpointId: row.endpointId,
    studyId: row.studyId,
    url: row.url,
    event: row.event,
    messageId: row.messageId,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    log: row.log as unknown as AttemptLogEntry[],
  };
}

/** What a delivery attempt needs: the message, where it goes and the secret that signs it. */
export interface DeliveryToSend {
  id: string;
  teamId: string;
  url: string;
  messageId: string;
  payload: WebhookMessage;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  log: AttemptLogEntry[];
  /** The endpoint's secret; null for a study's own webhookUrl, signed with the team's signing secret. */
  endpointSecret: string | null;
}

export interface DeliveryTarget {
  endpointId: string | null;
  url: string;
}

export interface NewMessage {
  teamId: string;
  studyId: string | null;
  event: string;
  messageId: string;
  payload: WebhookMessage;
}

export interface AttemptRecord {
  entry: AttemptLogEntry;
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
}

const endpointContext = (id: string) => `webhook:${id}`;
const signingContext = (teamId: string) => `signing:${teamId}`;

/**
 * Webhook secrets are stored sealed (AES-256-GCM under TIERWISE_SECRETS_KEY, bound to their row): the plaintext
 * leaves this class only in a creation answer and to the delivery worker that signs with it.
 */
@Injectable()
export class WebhooksRepository implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private readonly secrets: ServerSecrets;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secrets = serverSecrets(config);
  }

  /** Seals secrets stored in plaintext before migration 0008 (each row once; a concurrent run seals nothing twice). */
  async onModuleInit(): Promise<void> {
    const notSealed = { secret: { not: { startsWith: 'v1.' } } };
    const endpoints = await this.prisma.webhookEndpoint.findMany({ where: notSealed, select: { id: true, secret: true } });
    for (const e of endpoints) {
      await this.prisma.webhookEndpoint.updateMany({
        where: { id: e.id, secret: e.secret },
        data: { secret: seal(this.secrets, e.secret, endpointContext(e.id)) },
      });
    }
    const teams = await this.prisma.webhookSigningSecret.findMany({ where: notSealed, select: { teamId: true, secret: true } });
    for (const t of teams) {
      await this.prisma.webhookSigningSecret.updateMany({
        where: { teamId: t.teamId, secret: t.secret },
        data: { secret: seal(this.secrets, t.secret, signingContext(t.teamId)) },
      });
    }
    if (endpoints.length + teams.length > 0)
      this.logger.log(`sealed ${endpoints.length + teams.length} webhook secrets stored in plaintext`);
  }

  private open(stored: string, context: string): string {
    return isSealed(stored) ? unseal(this.secrets, stored, context) : stored;
  }

  async createEndpoint(
    teamId: string,
    url: string,
    events: string[],
    secret: string,
    description: string | null,
  ): Promise<CreatedWebhookView> {
    const id = randomUUID();
    const row = await this.prisma.webhookEndpoint.create({
      data: { id, teamId, url, events, secret: seal(this.secrets, secret, endpointContext(id)), description },
    });
    return { ...toWebhookView(row), secret };
  }

  async listEndpoints(teamId: string): Promise<WebhookView[]> {
    const rows = await this.prisma.webhookEndpoint.findMany({ where: { teamId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return rows.map(toWebhookView);
  }

  async findEndpoint(teamId: string, id: string): Promise<WebhookView | null> {
    const row = await this.prisma.webhookEndpoint.findFirst({ where: { id, teamId } });
    return row ? toWebhookView(row) : null;
  }

  /** Deletes the endpoint and its delivery log; false when the team has no such endpoint. */
  async deleteEndpoint(teamId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.webhookEndpoint.deleteMany({ where: { id, teamId } });
    return count > 0;
  }

  async subscribedEndpoints(teamId: string, event: string): Promise<Array<{ id: string; url: string }>> {
    return this.prisma.webhookEndpoint.findMany({
      where: { teamId, active: true, events: { has: event } },
      select: { id: true, url: true },
    });
  }

  /** The team's secret for deliveries that have no endpoint of their own, created on first use (for the delivery worker). */
  async teamSigningSecret(teamId: string, generate: () => string): Promise<string> {
    const existing = await this.prisma.webhookSigningSecret.findUnique({ where: { teamId } });
    if (existing) return this.open(existing.secret, signingContext(teamId));
    // Two first uses at once both insert; the loser reads the winner's secret so the team has exactly one.
    await this.prisma.webhookSigningSecret.createMany({
      data: [{ teamId, secret: seal(this.secrets, generate(), signingContext(teamId)) }],
      skipDuplicates: true,
    });
    const row = await this.prisma.webhookSigningSecret.findUniqueOrThrow({ where: { teamId } });
    return this.open(row.secret, signingContext(teamId));
  }

  /** Replaces the team's signing secret with `secret` (the caller shows it once). */
  async rotateSigningSecret(teamId: string, secret: string): Promise<Date> {
    const sealed = seal(this.secrets, secret, signingContext(teamId));
    const createdAt = new Date();
    await this.prisma.webhookSigningSecret.upsert({
      where: { teamId },
      create: { teamId, secret: sealed, createdAt },
      update: { secret: sealed, createdAt },
    });
    return createdAt;
  }

  async signingSecretCreatedAt(teamId: string): Promise<Date | null> {
    return (await this.prisma.webhookSigningSecret.findUnique({ where: { teamId }, select: { createdAt: true } }))?.createdAt ?? null;
  }

  /**
   * One delivery row per target, skipping targets that already have a delivery of this message (an emit
   * repeated by a retried job); returns every delivery of the message that has not been attempted yet.
   */
  async createDeliveries(message: NewMessage, targets: DeliveryTarget[]): Promise<string[]> {
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.webhookDelivery.findMany({
        where: { teamId: message.teamId, messageId: message.messageId },
        select: { endpointId: true, url: true },
      });
      const key = (t: DeliveryTarget) => t.endpointId ?? `url:${t.url}`;
      const known = new Set(existing.map(key));
      const fresh = targets.filter((t) => !known.has(key(t)));
      if (fresh.length > 0) {
        await tx.webhookDelivery.createMany({
          data: fresh.map((t) => ({
            teamId: message.teamId,
            studyId: message.studyId,
            endpointId: t.endpointId,
            url: t.url,
            event: message.event,
            messageId: message.messageId,
            payload: message.payload as unknown as Prisma.InputJsonValue,
          })),
        });
      }
      const unsent = await tx.webhookDelivery.findMany({
        where: { teamId: message.teamId, messageId: message.messageId, status: 'pending', attempts: 0 },
        select: { id: true },
      });
      return unsent.map((row) => row.id);
    });
  }

  async findDeliveryView(id: string): Promise<DeliveryView | null> {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id } });
    return row ? toDeliveryView(row) : null;
  }

  async listDeliveries(endpointId: string, limit: number, cursor?: string): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { endpointId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    const items = rows.slice(0, limit).map(toDeliveryView);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async findDeliveryToSend(id: string): Promise<DeliveryToSend | null> {
    const row = await this.prisma.webhookDelivery.findUnique({
      where: { id },
      include: { endpoint: { select: { id: true, secret: true } } },
    });
    if (!row) return null;
    return {
      id: row.id,
      teamId: row.teamId,
      url: row.url,
      messageId: row.messageId,
      payload: row.payload as unknown as WebhookMessage,
      status: row.status as DeliveryStatus,
      attempts: row.attempts,
      nextAttemptAt: row.nextAttemptAt,
      log: row.log as unknown as AttemptLogEntry[],
      endpointSecret: row.endpoint ? this.open(row.endpoint.secret, endpointContext(row.endpoint.id)) : null,
    };
  }

  /**
   * Appends one attempt, only if no other run recorded an attempt since `attemptsBefore` was read (a job run
   * twice after a worker died); false when it lost that race and must not schedule anything.
   */
  async recordAttempt(delivery: DeliveryToSend, record: AttemptRecord): Promise<boolean> {
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { id: delivery.id, attempts: delivery.attempts },
      data: {
        attempts: delivery.attempts + 1,
        status: record.status,
        lastStatusCode: record.entry.statusCode,
        lastError: record.entry.error,
        log: [...delivery.log, record.entry] as unknown as Prisma.InputJsonValue,
        nextAttemptAt: record.nextAttemptAt,
        ...(record.status === 'delivered' ? { deliveredAt: new Date(record.entry.at) } : {}),
      },
    });
    return count > 0;
  }
}
