import { Injectable } from '@nestjs/common';
import { profileOf, slowdown, slowdownFormula, tierDefinitionSchema, type TierDefinition, type TierProfile } from '../benchmark/tiers';
import { TierwiseError } from '../common/errors';
import { TiersConfig } from './tiers.config';
import { TeamTiersRepository } from './tiers.repository';
import { WorkerRegistry, type WorkerHeartbeat } from './worker-registry';
import { benchQueue } from '../jobs/job-catalogue';

/** What a figure from a worker would be: unscaled from real hardware, scaled from pinned cores, or unconstrained. */
export type FigureKind = 'native' | 'scaled' | 'quota' | 'none';

export interface TierWorkerView extends WorkerHeartbeat {
  /** How its figures for this tier would be taken. */
  figures: FigureKind;
  /** The calibration its figures would carry: the tier's coreSpeed and the slowdown applied (1 for native). */
  calibration: { coreSpeed: number; slowdown: number; source: string };
}

export interface TierView extends TierProfile {
  /** `deployment` (defaults, TIERWISE_TIERS[_FILE]) or `team` (POST /v1/tiers). */
  source: 'deployment' | 'team';
  role: TierProfile['role'];
  native: boolean;
  slowdown: number;
  slowdownFormula: string;
  workers: TierWorkerView[];
  warnings: string[];
}

function figureKind(worker: WorkerHeartbeat): FigureKind {
  if (worker.envelopeMethod === 'native' || worker.device) return 'native';
  if (worker.envelopeMethod === 'quota') return 'quota';
  if (worker.envelopeMethod === 'none') return 'none';
  return 'scaled';
}

function checked(body: unknown): TierDefinition {
  const given = Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined));
  const parsed = tierDefinitionSchema.safeParse(given);
  if (!parsed.success)
    throw new TierwiseError('TIER_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  profileOf(parsed.data);
  return parsed.data;
}

@Injectable()
export class TiersService {
  constructor(
    private readonly config: TiersConfig,
    private readonly registry: WorkerRegistry,
    private readonly teamTiers: TeamTiersRepository,
  ) {}

  /** The tiers a team's studies may name: the deployment's, then the team's own. */
  async profilesFor(teamId: string): Promise<Record<string, TierProfile>> {
    const profiles: Record<string, TierProfile> = {};
    for (const tier of this.config.all()) profiles[tier.name] = tier;
    for (const record of await this.teamTiers.forTeam(teamId)) profiles[record.definition.name] = profileOf(record.definition);
    return profiles;
  }

  isDeploymentTier(name: string): boolean {
    return this.config.get(name) !== undefined;
  }

  async create(teamId: string, body: unknown): Promise<TierView> {
    const definition = checked(body);
    if (this.config.get(definition.name))
      throw new TierwiseError('TIER_EXISTS', `tier ${definition.name} is configured by the deployment; choose another name`, {
        tier: definition.name,
      });
    const record = await this.teamTiers.create(teamId, definition);
    if (!record)
      throw new TierwiseError('TIER_EXISTS', `a tier named ${definition.name} already exists; choose another name`, {
        tier: definition.name,
      });
    return this.view(profileOf(definition), 'team', await this.registry.live());
  }

  /** Changes a team tier; what the body leaves out keeps its value. Studies already created keep their profiles. */
  async update(teamId: string, name: string, body: unknown): Promise<TierView> {
    if (this.config.get(name))
      throw new TierwiseError('TIER_READ_ONLY', `tier ${name} is configured by the deployment (TIERWISE_TIERS / TIERWISE_TIERS_FILE)`, {
        tier: name,
      });
    const existing = await this.teamTiers.byName(name);
    if (!existing || existing.teamId !== teamId)
      throw new TierwiseError('TIER_NOT_FOUND', `the team has no tier named ${name}`, { tier: name });
    // A DTO instance carries every declared field, the ones not sent as undefined: those keep their stored value.
    const patch = Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined));
    if (patch.name !== undefined && patch.name !== name)
      throw new TierwiseError('TIER_INVALID', 'name: a tier cannot be renamed (its name is its queue); create a new one', { tier: name });
    const merged = { ...existing.definition, ...patch, name };
    // Turning a tier native drops its envelope's scaling; turning it back needs cpus and memoryMB again.
    if (patch.native === false) delete (merged as Record<string, unknown>).native;
    const definition = checked(merged);
    const record = await this.teamTiers.update(teamId, definition);
    if (!record) throw new TierwiseError('TIER_NOT_FOUND', `the team has no tier named ${name}`, { tier: name });
    return this.view(profileOf(definition), 'team', await this.registry.live());
  }

  async list(teamId: string): Promise<TierView[]> {
    const workers = await this.registry.live();
    const own = await this.teamTiers.forTeam(teamId);
    return [
      ...this.config.all().map((tier) => this.view(tier, 'deployment', workers)),
      ...own.map((r) => this.view(profileOf(r.definition), 'team', workers)),
    ];
  }

  private view(tier: TierProfile, source: TierView['source'], live: WorkerHeartbeat[]): TierView {
    const s = tier.native ? 1 : slowdown(tier);
    const mine: TierWorkerView[] = live
      // a worker started for the tier, or one without a tier of its own that consumes the tier's bench queue
      .filter((w) => w.tier === tier.name || (w.tier === null && w.queues.includes(benchQueue(tier.name))))
      .map((w) => {
        const figures = figureKind(w);
        return {
          ...w,
          figures,
          calibration: {
            coreSpeed: tier.coreSpeed,
            slowdown: figures === 'native' ? 1 : s,
            source: figures === 'native' ? `measured on ${w.device ?? w.host}, unscaled` : `the tier's coreSpeed (${source} profile)`,
          },
        };
      });
    const warnings: string[] = [];
    if (mine.length === 0) warnings.push(`no live worker consumes the ${tier.name} queue (bench-${tier.name}): its measurements will wait`);
    if (mine.some((w) => w.figures === 'none'))
      warnings.push('a worker cannot enforce pinning or memory limits: its figures are unconstrained');
    if (tier.native && mine.some((w) => w.figures !== 'native'))
      warnings.push(
        `${tier.name} is native hardware, but a worker on its queue is not a --device worker: its figures would be scaled, not native`,
      );
    if (!tier.role) warnings.push(`${tier.name} has no role (device, edge or cloud): give it one in TIERWISE_TIERS`);
    return {
      ...tier,
      source,
      role: tier.role,
      native: tier.native ?? false,
      slowdown: s,
      slowdownFormula: tier.native ? 'native: figures are taken on the device itself, unscaled (s = 1)' : slowdownFormula(tier),
      workers: mine,
      warnings,
    };
  }
}
