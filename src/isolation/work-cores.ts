import type { Envelope } from './child-process';
import { allowedCores } from './cgroups';
import { assignCores, coresExcept, lockCores } from './core-lock';
import { configuredTiers } from '../benchmark/tiers';

/**
 * The cores build and evaluation children run on: those no tier smaller than the host measures on (core 0 on a
 * 2-core host, where mobile and edge measure on core 1). A tier that spans the whole host (cloud) shares them, so
 * the work holds their lock while it runs: such a measurement waits for it rather than sharing a core with it.
 */
export function workCores(host: number[] = allowedCores()): number[] {
  const measuring = Object.values(configuredTiers())
    .map((tier) => assignCores(tier.threads, host).cores)
    .filter((cores) => cores.length < host.length)
    .flat();
  const free = coresExcept(measuring, host);
  return free.length > 0 ? free : [Math.min(...host)];
}

/** Runs CPU-heavy non-measurement work pinned to the work cores, holding their lock. */
export async function withWorkCores<T>(run: (envelope: Envelope) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const cores = workCores();
  const release = await lockCores(cores, { timeoutMs: options.timeoutMs ?? 30 * 60_000 });
  try {
    return await run({ cores });
  } finally {
    release();
  }
}

/**
 * Where `tierwise start` puts its long-lived processes (api, job worker, tier workers' own event loops and
 * database clients): on the work cores, off every core a tier smaller than the host measures on. `shared` names
 * the tiers whose measuring cores they still share (a tier spanning the whole host, or a host with one core),
 * so start-up can say so; those tiers' figures rely on the noise retakes instead.
 */
export function servicePlacement(host: number[] = allowedCores()): { cores: number[]; shared: Array<{ tier: string; cores: number[] }> } {
  const cores = workCores(host);
  const shared = Object.values(configuredTiers())
    .map((tier) => ({ tier: tier.name, cores: assignCores(tier.threads, host).cores }))
    .filter((t) => t.cores.some((c) => cores.includes(c)));
  return { cores, shared };
}
