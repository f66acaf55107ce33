import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TierwiseError } from '../common/errors';
import { allowedCores } from '../isolation/cgroups';

/**
 * A tier is the device class a model may be deployed to. `coreSpeed` is the speed of one of its cores relative
 * to one core of the measuring host (1 = same; calibrate it with `tierwise calibrate`).
 */
export interface TierProfile {
  name: string;
  cpus: number;
  threads: number;
  memoryMB: number;
  coreSpeed: number;
  executionProvider: string;
}

export { TIER_NAMES } from './tier-names';

/**
 * The study's 1:2:4 CPU ratio (mobile 4, edge 8, cloud 16 CPUs) scaled so that cloud gets the whole host:
 * on 2 cores mobile 0.5, edge 1, cloud 2 CPUs; threads = whole CPUs (at least 1); memory 1/4/8 GiB.
 */
export function defaultTiers(hostCores: number = allowedCores().length): Record<string, TierProfile> {
  const make = (name: string, share: number, memoryMB: number): TierProfile => {
    const cpus = hostCores * share;
    return { name, cpus, threads: Math.max(1, Math.min(hostCores, Math.floor(cpus))), memoryMB, coreSpeed: 1, executionProvider: 'cpu' };
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
const configSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), overrideSchema);

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
  if (!base && (override.cpus === undefined || override.memoryMB === undefined)) {
    throw new TierwiseError('TIER_CONFIG_INVALID', `${origin}: new tier "${name}" needs at least cpus and memoryMB`);
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
