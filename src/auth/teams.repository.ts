import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { KEY_SCHEME, LEGACY_SCHEME, asKeyKind, type KeyKind } from './api-key';

export interface TeamRef {
  id: string;
  name: string;
}

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  kind: KeyKind;
  /** A worker token's tiers (empty: any). */
  tiers: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface KeyOwner {
  keyId: string;
  team: TeamRef;
  kind: KeyKind;
  tiers: string[];
}

const keyFields = {
  id: true,
  name: true,
  prefix: true,
  kind: true,
  tiers: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

function toKeyView(row: {
  id: string;
  name: string;
  prefix: string;
  kind: string;
  tiers: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): KeyView {
  return {
    ...row,
    kind: asKeyKind(row.kind),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class TeamsRepository {
  constructor(private readonly prisma: PrismaService) {}

  ensureTeam(name: string): Promise<TeamRef> {
    return this.prisma.team.upsert({ where: { name }, create: { name }, update: {}, select: { id: true, name: true } });
  }

  findTeam(name: string): Promise<TeamRef | null> {
    return this.prisma.team.findUnique({ where: { name }, select: { id: true, name: true } });
  }

  /** Creates the key (a repeat of the same key, e.g. TIERWISE_API_KEY at every boot, keeps the row and its revocation). */
  async createKey(
    teamId: string,
    name: string,
    hash: string,
    prefix: string,
    grant: { kind: KeyKind; tiers: string[] } = { kind: 'team', tiers: [] },
  ): Promise<KeyView> {
    const row = await this.prisma.apiKey.upsert({
      where: { hash },
      create: { teamId, name, hash, prefix, scheme: KEY_SCHEME, kind: grant.kind, tiers: grant.tiers },
      update: {},
      select: keyFields,
    });
    return toKeyView(row);
  }

  /** A live (not revoked) key's owner. */
  async findByHash(hash: string): Promise<KeyOwner | null> {
    const key = await this.prisma.apiKey.findFirst({
      where: { hash, revokedAt: null },
      select: { id: true, kind: true, tiers: true, team: { select: { id: true, name: true } } },
    });
    return key ? { keyId: key.id, team: key.team, kind: asKeyKind(key.kind), tiers: key.tiers } : null;
  }

  /** Rehashes a key stored before migration 0008 (sha256) with the server's HMAC; answers whether one was found. */
  async upgradeLegacy(legacy: string, hash: string): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { hash: legacy, scheme: LEGACY_SCHEME },
      data: { hash, scheme: KEY_SCHEME },
    });
    return count > 0;
  }

  /** Sets lastUsedAt unless it was set in the last `throttleMs` (so a busy key writes once a minute, not per request). */
  async touch(keyId: string, throttleMs: number): Promise<void> {
    const now = new Date();
    await this.prisma.apiKey.updateMany({
      where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - throttleMs) } }] },
      data: { lastUsedAt: now },
    });
  }

  async listKeys(teamId: string): Promise<KeyView[]> {
    const rows = await this.prisma.apiKey.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' }, select: keyFields });
    return rows.map(toKeyView);
  }

  /** Revokes one of the team's keys (teamId null: any team's, for the CLI); null when there is no such key. */
  async revokeKey(teamId: string | null, id: string): Promise<KeyView | null> {
    const key = await this.prisma.apiKey.findFirst({ where: { id, ...(teamId ? { teamId } : {}) }, select: { id: true } });
    if (!key) return null;
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return toKeyView(await this.prisma.apiKey.findUniqueOrThrow({ where: { id }, select: keyFields }));
  }
}
