import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

export interface TeamRef {
  id: string;
  name: string;
}

@Injectable()
export class TeamsRepository {
  constructor(private readonly prisma: PrismaService) {}

  ensureTeam(name: string): Promise<TeamRef> {
    return this.prisma.team.upsert({ where: { name }, create: { name }, update: {}, select: { id: true, name: true } });
  }

  async createKey(teamId: string, name: string, hash: string, prefix: string): Promise<void> {
    await this.prisma.apiKey.upsert({
      where: { hash },
      create: { teamId, name, hash, prefix },
      update: {},
    });
  }

  async findTeamByKeyHash(hash: string): Promise<TeamRef | null> {
    const key = await this.prisma.apiKey.findUnique({ where: { hash }, select: { team: { select: { id: true, name: true } } } });
    return key?.team ?? null;
  }
}
