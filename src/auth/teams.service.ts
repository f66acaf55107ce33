import { Inject, Injectable, Logger } from '@nestjs/common';
import { TierwiseError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { serverSecrets, type ServerSecrets } from '../config/server-secrets';
import { generateApiKey, hashApiKey, keyPrefix, legacyHash, type KeyKind } from './api-key';
import { TeamsRepository, type KeyOwner, type KeyView, type TeamRef } from './teams.repository';

export interface IssuedKey {
  team: TeamRef;
  key: string;
  prefix: string;
  view: KeyView;
}

/** lastUsedAt is written at most this often per key. */
export const LAST_USED_THROTTLE_MS = 60_000;
const CACHE_LIMIT = 10_000;

@Injectable()
export class TeamsService {
  private readonly logger = new Logger('Keys');
  private readonly secrets: ServerSecrets;
  /** Checked keys by hash, trusted for AUTH_CACHE_MS; a revoke on this process drops its entry at once. */
  private readonly cache = new Map<string, { owner: KeyOwner; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly teams: TeamsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secrets = serverSecrets(config);
  }

  /** Creates the team when missing and a new key for it; the key is returned once and only its HMAC is kept. */
  async issueKey(
    teamName: string,
    keyName = 'cli',
    key = generateApiKey(),
    grant: { kind: KeyKind; tiers: string[] } = { kind: 'team', tiers: [] },
  ): Promise<IssuedKey> {
    const team = await this.teams.ensureTeam(teamName);
    const hash = hashApiKey(this.secrets, key);
    await this.teams.upgradeLegacy(legacyHash(key), hash);
    const view = await this.teams.createKey(team.id, keyName, hash, keyPrefix(key), grant);
    return { team, key, prefix: view.prefix, view };
  }

  /**
   * A new key for an authenticated team (REST `POST /v1/keys`). A worker token takes any team's jobs on its tiers
   * (the pools are shared), so only the deployment's own team (WORKER_KEYS_TEAM) may make one over REST.
   */
  async createKey(
    team: TeamRef,
    name: string,
    grant: { kind: KeyKind; tiers: string[] } = { kind: 'team', tiers: [] },
  ): Promise<KeyView & { key: string }> {
    if (grant.kind === 'worker' && team.name !== this.config.WORKER_KEYS_TEAM)
      throw new TierwiseError(
        'WORKER_KEY_FORBIDDEN',
        `worker tokens serve every team's jobs on their tiers, so only the deployment's team (${this.config.WORKER_KEYS_TEAM}) may create them; or run \`tierwise keys create --worker\` where DATABASE_URL reaches the database`,
      );
    const key = generateApiKey();
    const view = await this.teams.createKey(team.id, name, hashApiKey(this.secrets, key), keyPrefix(key), grant);
    return { ...view, key };
  }

  async authenticate(key: string): Promise<KeyOwner | null> {
    const hash = hashApiKey(this.secrets, key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    let owner = cached && cached.until > now ? cached.owner : null;
    if (!owner) {
      owner = await this.teams.findByHash(hash);
      if (!owner && (await this.teams.upgradeLegacy(legacyHash(key), hash))) owner = await this.teams.findByHash(hash);
      if (!owner) {
        this.cache.delete(hash);
        return null;
      }
      if (this.config.AUTH_CACHE_MS > 0) {
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(hash, { owner, until: now + this.config.AUTH_CACHE_MS });
      }
    }
    this.touch(owner.keyId, now);
    return owner;
  }

  listKeys(team: TeamRef): Promise<KeyView[]> {
    return this.teams.listKeys(team.id);
  }

  /** Revokes a key of the team (null: of any team, from the CLI). The key stops working here at once, elsewhere within AUTH_CACHE_MS. */
  async revokeKey(team: TeamRef | null, id: string): Promise<KeyView> {
    const view = await this.teams.revokeKey(team?.id ?? null, id);
    if (!view) throw new TierwiseError('KEY_NOT_FOUND', `no key ${id}`);
    for (const [hash, entry] of this.cache) if (entry.owner.keyId === id) this.cache.delete(hash);
    return view;
  }

  async listTeamKeys(teamName: string): Promise<KeyView[]> {
    const team = await this.teams.findTeam(teamName);
    if (!team) throw new TierwiseError('TEAM_NOT_FOUND', `no team ${teamName}`);
    return this.teams.listKeys(team.id);
  }

  private touch(keyId: string, now: number): void {
    if ((this.touched.get(keyId) ?? 0) > now - LAST_USED_THROTTLE_MS) return;
    if (this.touched.size >= CACHE_LIMIT) this.touched.clear();
    this.touched.set(keyId, now);
    this.teams.touch(keyId, LAST_USED_THROTTLE_MS).catch((error: Error) => this.logger.warn(`lastUsedAt not written: ${error.message}`));
  }
}
