import { Injectable } from '@nestjs/common';
import { generateApiKey, hashApiKey, keyPrefix } from './api-key';
import { TeamsRepository, type TeamRef } from './teams.repository';

export interface IssuedKey {
  team: TeamRef;
  key: string;
  prefix: string;
}

@Injectable()
export class TeamsService {
  constructor(private readonly teams: TeamsRepository) {}

  /** Creates the team when missing and a new key for it; the key is returned once and only its hash is kept. */
  async issueKey(teamName: string, keyName = 'cli', key = generateApiKey()): Promise<IssuedKey> {
    const team = await this.teams.ensureTeam(teamName);
    await this.teams.createKey(team.id, keyName, hashApiKey(key), keyPrefix(key));
    return { team, key, prefix: keyPrefix(key) };
  }

  authenticate(key: string): Promise<TeamRef | null> {
    return this.teams.findTeamByKeyHash(hashApiKey(key));
  }
}
