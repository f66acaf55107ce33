import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TierwiseError } from '../common/errors';
import { allowedCores } from '../isolation/cgroups';
import { PAPER_TIER_ROLES, TIER_NAME_PATTERN, TIER_ROLES, type TierProfile, type TierRole } from './topology';

export type { TierProfile } from './topology';
export { TIER_NAMES } from './tier-names';

/**
 * The study's 1:2:4 CPU ratio (mobile 4, edge 8, cloud 16 CPUs) scaled so that cloud gets the whole host:
 * on 2 cores mobile 0.5, edge 1, cloud 2 CPUs; threads = whole CPUs (at least 1); memory 1/4/8 GiB.
 */
export function defaultTiers(hostCores: number = allowedCores().length): Record<string, TierProfile> {
  const make = (name: string, share: number, memoryMB: number): TierProfile => {
    const cpus = hostCores * share;
    return {
      name,
      cpus,
      threads: Math.max(1, Math.min(hostCores, Math.floor(cpus))),
      memoryMB,
      coreSpeed: 1,
      executionProvider: 'cpu',
      role: PAPER_TIER_ROLES[name as keyof typeof PAPER_TIER_ROLES],
    };
  };
  return { mobile: make('mobile', 0.25, 1024), edge: make('edge', 0.5, 4096), cloud: make('cloud', 1, 8192) };
}

const overrideSchema = z
  .object({
    cpus: z.number().positive().optional(),
    threads: z.number().int().positive().optional(),
    memoryMB: z.number().positive().optional(),
    coreSpeed: z.number().positive().optional(),
    executionProvider: z.string().min(1).optional(),
  })
  .strict();

export type TierOverride = z.infer<typeof overrideSchema>;
const configEntrySchema = overrideSchema.extend({ role: z.enum(TIER_ROLES).optional(), native: z.boolean().optional() }).strict();
const configSchema = z.record(z.string().regex(TIER_NAME_PATTERN), configEntrySchema);

/**
 * A tier as a team defines it (`POST /v1/tiers`): a name, a role, and an envelope (cpus and memoryMB at least)
 * or `native: true` for real hardware measured by a `--device` worker.
 */
export const tierDefinitionSchema = z
  .object({
    name: z.string().regex(TIER_NAME_PATTERN, 'lower-case letters, digits and dashes, starting with a letter, at most 40'),
    role: z.enum(TIER_ROLES),
    native: z.boolean().optional(),
    cpus: z.number().positive().max(1024).optional(),
    threads: z.number().int().positive().max(1024).optional(),
    memoryMB: z
      .number()
      .positive()
      .max(16 * 1024 * 1024)
      .optional(),
    coreSpeed: z.number().positive().max(1000).optional(),
    executionProvider: z.string().min(1).max(40).optional(),
  })
  .strict();
export type TierDefinition = z.infer<typeof tierDefinitionSchema>;

/** The profile of a defined tier; TIER_INVALID when an envelope tier lacks cpus or memoryMB. */
export function profileOf(definition: TierDefinition): TierProfile {
  if (!definition.native && (definition.cpus === undefined || definition.memoryMB === undefined))
    throw new TierwiseError(
      'TIER_INVALID',
      `tier "${definition.name}" needs cpus and memoryMB (its envelope), or native: true for real hardware`,
      {
        tier: definition.name,
      },
    );
  // A native tier is measured as it is: its slowdown is 1 (threads = cpus, coreSpeed 1) unless told otherwise.
  const threads = definition.threads ?? Math.max(1, Math.floor(definition.cpus ?? 1));
  const cpus = definition.cpus ?? threads;
  return {
    name: definition.name,
    cpus,
    threads,
    memoryMB: definition.memoryMB ?? 0,
    coreSpeed: definition.coreSpeed ?? 1,
    executionProvider: definition.executionProvider ?? 'cpu',
    role: definition.role,
    ...(definition.native ? { native: true } : {}),
  };
}

/**
 * Overrides from the deployment: `TIERWISE_TIERS` (JSON text) or `TIERWISE_TIERS_FILE` (a JSON file), both
 * `{ "<tier>": { cpus?, threads?, memoryMB?, coreSpeed?, executionProvider? } }`. A tier not in the defaults
 * must give cpus and memoryMB.
 */
export function configuredTiers(env: NodeJS.ProcessEnv = process.env, hostCores?: number): Record<string, TierProfile> {
  const tiers = defaultTiers(hostCores);
  const sources: Array<[string, string]> = [];
  if (env.TIERWISE_TIERS_FILE) {
    try {
      sources.push([env.TIERWISE_TIERS_FILE, readFileSync(env.TIERWISE_TIERS_FILE, 'utf8')]);
    } catch (error) {
      throw new TierwiseError(
        'TIER_CONFIG_INVALID',
        `cannot read TIERWISE_TIERS_FILE ${env.TIERWISE_TIERS_FILE}: ${(error as Error).message}`,
      );
    }
  }
  if (env.TIERWISE_TIERS) sources.push(['TIERWISE_TIERS', env.TIERWISE_TIERS]);
  for (const [origin, text] of sources) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new TierwiseError('TIER_CONFIG_INVALID', `${origin} is not JSON: ${(error as Error).message}`);
    }
    const checked = configSchema.safeParse(parsed);
    if (!checked.success)
      throw new TierwiseError(
        'TIER_CONFIG_INVALID',
        `${origin}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    for (const [name, override] of Object.entries(checked.data)) tiers[name] = withOverride(tiers[name], name, override, origin);
  }
  return tiers;
}

function withOverride(base: TierProfile | undefined, name: string, override: TierOverride, origin: string): TierProfile {
  const { role, native } = override as { role?: TierRole; native?: boolean };
  if (!base && !native && (override.cpus === undefined || override.memoryMB === undefined)) {
    throw new TierwiseError('TIER_CONFIG_INVALID', `${origin}: new tier "${name}" needs at least cpus and memoryMB (or native: true)`);
  }
  // A configured tier without a role still measures; GET /v1/tiers warns that paths cannot place it.
  if (!base) {
    const profile = profileOf({ name, role: role ?? 'edge', native, ...override });
    if (!role) delete profile.role;
    return profile;
  }
  const cpus = override.cpus ?? base!.cpus;
  const threads = override.threads ?? (override.cpus !== undefined || !base ? Math.max(1, Math.floor(cpus)) : base.threads);
  return {
    name,
    cpus,
    threads,
    memoryMB: override.memoryMB ?? base!.memoryMB,
    coreSpeed: override.coreSpeed ?? base?.coreSpeed ?? 1,
    executionProvider: override.executionProvider ?? base?.executionProvider ?? 'cpu',
    ...((role ?? base!.role) ? { role: role ?? base!.role } : {}),
    ...((native ?? base!.native) ? { native: true } : {}),
  };
}

/** The named tier from the configuration, with per-call overrides (a study's own tier settings) applied. */
export function resolveTier(name: string, override: TierOverride = {}, env: NodeJS.ProcessEnv = process.env): TierProfile {
  const tiers = configuredTiers(env);
  const checked = overrideSchema.safeParse(override);
  if (!checked.success)
    throw new TierwiseError(
      'TIER_INVALID',
      `tier "${name}" override: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (!tiers[name]) throw new TierwiseError('TIER_UNKNOWN', `unknown tier "${name}" (known: ${Object.keys(tiers).join(', ')})`);
  return withOverride(tiers[name], name, checked.data, 'override');
}

/**
 * How much slower one request runs on the tier than on `threads` dedicated host cores:
 * s = threads / (cpus × coreSpeed). The tier has cpus × coreSpeed host-core-equivalents of compute for the
 * `threads` cores' worth of work we measure; s ≥ 1 means slower than the host.
 */
export function slowdown(tier: Pick<TierProfile, 'threads' | 'cpus' | 'coreSpeed'>): number {
  if (!(tier.cpus > 0) || !(tier.coreSpeed > 0) || !(tier.threads >= 1)) {
    throw new TierwiseError(
      'TIER_INVALID',
      `tier needs cpus > 0, coreSpeed > 0, threads >= 1 (got ${tier.cpus}, ${tier.coreSpeed}, ${tier.threads})`,
    );
  }
  return tier.threads / (tier.cpus * tier.coreSpeed);
}

export function slowdownFormula(tier: Pick<TierProfile, 'threads' | 'cpus' | 'coreSpeed'>): string {
  return `s = threads / (cpus × coreSpeed) = ${tier.threads} / (${tier.cpus} × ${tier.coreSpeed}) = ${+slowdown(tier).toFixed(6)}; scaled = raw × s`;
}
