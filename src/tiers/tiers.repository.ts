import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { TierDefinition } from '../benchmark/tiers';

export interface TeamTierRecord {
  teamId: string;
  definition: TierDefinition;
  createdAt: string;
  updatedAt: string;
}

type Row = { teamId: string; name: string; role: string; native: boolean; envelope: Prisma.JsonValue; createdAt: Date; updatedAt: Date };

function toRecord(row: Row): TeamTierRecord {
  const envelope = (row.envelope ?? {}) as Omit<TierDefinition, 'name' | 'role' | 'native'>;
  return {
    teamId: row.teamId,
    definition: { name: row.name, role: row.role as TierDefinition['role'], ...(row.native ? { native: true } : {}), ...envelope },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function envelopeOf(d: TierDefinition): Prisma.InputJsonValue {
  const { name: _name, role: _role, native: _native, ...envelope } = d;
  return envelope as Prisma.InputJsonValue;
}

/** Teams' own tiers (TeamTier). Names are unique in the deployment: a tier's name is its queue's. */
@Injectable()
export class TeamTiersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async forTeam(teamId: string): Promise<TeamTierRecord[]> {
    return (await this.prisma.teamTier.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' } })).map(toRecord);
  }

  async byName(name: string): Promise<TeamTierRecord | null> {
    const row = await this.prisma.teamTier.findUnique({ where: { name } });
    return row ? toRecord(row) : null;
  }

  /** Null when the name is taken (by any team). */
  async create(teamId: string, d: TierDefinition): Promise<TeamTierRecord | null> {
    try {
      return toRecord(
        await this.prisma.teamTier.create({
          data: { teamId, name: d.name, role: d.role, native: d.native ?? false, envelope: envelopeOf(d) },
        }),
      );
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  async update(teamId: string, d: TierDefinition): Promise<TeamTierRecord | null> {
    const { count } = await this.prisma.teamTier.updateMany({
      where: { teamId, name: d.name },
      data: { role: d.role, native: d.native ?? false, envelope: envelopeOf(d) },
    });
    return count === 0 ? null : this.byName(d.name);
  }
}
