import type { EnforcementRecord, Envelope } from '../isolation/child-process';
import { detectCapabilities, type HostCapabilities } from '../isolation/cgroups';
import { assignCores } from '../isolation/core-lock';
import { slowdown, slowdownFormula, type TierProfile } from './tiers';

/**
 * How a tier is emulated for one measurement. `scaled`: dedicated pinned cores + memory limit, latencies
 * multiplied by the tier's slowdown. `quota`: pinned cores + memory limit + a CPU quota of cpus × coreSpeed,
 * no scaling (right for throughput, distorting for single requests). `container`: the container sets the
 * limits; we pin and scale inside it. `native`: a real device, nothing applied, nothing scaled. `none`: nothing
 * could be (or was asked to be) enforced.
 */
export const ENVELOPE_METHODS = ['scaled', 'quota', 'container', 'native', 'none'] as const;
export type EnvelopeMethod = (typeof ENVELOPE_METHODS)[number];

export interface EnvelopePlan {
  requestedMethod: EnvelopeMethod;
  envelope: Envelope;
  slowdown: number;
  formula: string;
  cores: number[] | null;
  warnings: string[];
}

export interface EnvelopeRecord {
  /** The method the figures really rest on (`none` when the requested one could not be enforced). */
  method: EnvelopeMethod;
  requestedMethod: EnvelopeMethod;
  tier: TierProfile;
  slowdown: number;
  formula: string;
  cores: number[] | null;
  memoryLimitMB: number | null;
  quotaCpus: number | null;
  enforced: EnforcementRecord;
  warnings: string[];
}

export function planEnvelope(
  tier: TierProfile,
  method: EnvelopeMethod,
  options: { quotaPeriodUs?: number; caps?: HostCapabilities } = {},
): EnvelopePlan {
  const caps = options.caps ?? detectCapabilities();
  const warnings: string[] = [];
  if (method === 'native' || method === 'none') {
    return {
      requestedMethod: method,
      envelope: {},
      slowdown: method === 'native' ? 1 : slowdown(tier),
      formula: method === 'native' ? 'native device: scaled = raw (s = 1)' : slowdownFormula(tier),
      cores: null,
      warnings: method === 'none' ? ['envelope "none": no pinning and no memory limit; latencies share the host with everything else'] : [],
    };
  }
  const assigned = assignCores(tier.threads, caps.hostCores);
  if (assigned.warning) warnings.push(assigned.warning);
  const envelope: Envelope = { cores: assigned.cores, memoryMB: tier.memoryMB };
  if (method === 'quota') {
    envelope.quotaCpus = tier.cpus * tier.coreSpeed;
    envelope.quotaPeriodUs = options.quotaPeriodUs ?? 100_000;
    warnings.push(
      'quota: a CPU quota models a time-shared CPU, not a slower one; single-request percentiles are distorted (use for throughput / co-tenancy)',
    );
  }
  return {
    requestedMethod: method,
    envelope,
    slowdown: method === 'quota' ? 1 : slowdown(tier),
    formula:
      method === 'quota'
        ? `quota of cpus × coreSpeed = ${tier.cpus} × ${tier.coreSpeed} CPUs per ${envelope.quotaPeriodUs} µs period; scaled = raw (s = 1)`
        : slowdownFormula(tier),
    cores: assigned.cores,
    warnings,
  };
}

/** Combines the plan with what the child launcher really enforced, downgrading the method when it must. */
export function envelopeRecord(tier: TierProfile, plan: EnvelopePlan, enforced: EnforcementRecord): EnvelopeRecord {
  const warnings = [...plan.warnings, ...enforced.warnings];
  let method = plan.requestedMethod;
  const pinned = enforced.pinnedCores !== null;
  const memoryLimited = enforced.memory.mechanism !== 'none';
  if ((method === 'scaled' || method === 'container') && !pinned && !memoryLimited) {
    method = 'none';
    warnings.push(`"${plan.requestedMethod}" requested but neither pinning nor a memory limit could be applied: recorded as "none"`);
  } else if (method === 'scaled' && !pinned) {
    warnings.push('cores not pinned: other processes may share the measuring cores');
  }
  if (method === 'quota' && enforced.cpuQuota.mechanism === 'none') {
    method = 'none';
    warnings.push('"quota" requested but no CPU quota could be enforced: figures are unthrottled host latencies, recorded as "none"');
  }
  if (pinned)
    warnings.push('pinning keeps this measurement on its cores; other processes are not excluded from them (no exclusive cpuset)');
  return {
    method,
    requestedMethod: plan.requestedMethod,
    tier,
    slowdown: plan.slowdown,
    formula: plan.formula,
    cores: enforced.pinnedCores,
    memoryLimitMB: enforced.memory.limitMB,
    quotaCpus: enforced.cpuQuota.cpus,
    enforced,
    warnings,
  };
}
