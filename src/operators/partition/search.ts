import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TierwiseError, isTierwiseError } from '../../common/errors';
import { defaultLinks, route as routeBetween, scenarioNetworkMs, type Link } from '../../benchmark/network';
import { resolveTier, slowdown, type TierProfile } from '../../benchmark/tiers';
import { serializeSample } from '../../benchmark/inputs';
import { measure } from '../../benchmark/runner';
import { loadModel } from '../../onnx';
import { listCuts, type CutCandidate } from './cuts';
import { probeSpec } from './shape-probe';
import type { InputSpec } from '../../onnx/input-spec';
import type { InputTensor } from '../../onnx/io-spec';
import { attributeNodeTimes, estimateCut, type CutEstimate, type PartitionRoute, type TierCosts } from './estimate';
import { measureSplit, runLimits, runnerInputs, type RunSettings } from './measure-cut';

export interface PartitionSearchOptions extends RunSettings {
  from: string;
  to: string;
  /** Default: the study's links (mobile–edge 200 Mbps, edge–cloud 1 Mbps, no RTT). */
  links?: Link[];
  /** Tier profiles by name (a study's, fixed at creation); a tier not here is resolved from the configuration. */
  tierProfiles?: Record<string, TierProfile>;
  /** Where the request starts and the response returns (default mobile). */
  origin?: string;
  /** Default: the raw input tensors' bytes. */
  requestBytes?: number;
  /** Default: the raw output tensors' bytes. */
  responseBytes?: number;
  /** Whole input shapes by name (short for an input spec of shapes). */
  shapes?: Record<string, number[]>;
  /** The input spec the probe, the profiles and the measurements run at. */
  inputs?: InputSpec;
  /** Or the very tensors to run at (dataset samples: the first one). */
  feeds?: Record<string, InputTensor>;
  /** How many of the best estimates to measure for real (default 3; 0 = estimate only). */
  topK?: number;
  maxTensors?: number;
  /** Inferences the profiler records per tier (default 20; 5 under a time budget). */
  profileRuns?: number;
  /**
   * Leave out cuts whose head or tail holds less than this share of the estimated compute (default 0): such a
   * "partition" is the whole model on one tier plus a transfer, a scenario that is already measured as such.
   */
  minShare?: number;
}

export interface MeasuredCut extends CutEstimate {
  estimateMs: number;
  /** (estimate − measured) / measured, in percent. */
  errorPct: number;
}

/** A run that did not fit its tier's memory (RUNNER_OOM under the tier's limit): an answer about that tier, not a failure. */
export interface OutOfMemory {
  /** `whole` for a profile of the whole model, else the cut's id. */
  what: string;
  tier: string;
  message: string;
}

export interface PartitionSearchResult {
  model: string;
  route: PartitionRoute;
  /**
   * Per tier: `profiled` when the whole model ran there; `scaled from <tier>` when it ran out of memory there and its
   * per-node costs are the other tier's times the ratio of their slowdowns (an estimate; the cuts are then measured).
   */
  profiles: Array<{ tier: string; p50Ms: number; unattributedMs: number; basis: string }>;
  /** Whole model on `from` / on `to` (measured p50 + network), for comparison with every split; null where it does not fit. */
  whole: { onFromMs: number | null; onToMs: number | null };
  /** Every cut, best estimate first. */
  candidates: Array<CutEstimate & { cut: CutCandidate }>;
  measured: MeasuredCut[];
  best: { id: string; tensors: string[]; e2eMs: number; basis: 'measured' | 'estimate' };
  estimateError: { meanAbsPct: number; maxAbsPct: number } | null;
  /** Runs that ran out of a tier's memory: the whole model's profile, or a cut's head or tail (then the next cut is tried). */
  outOfMemory: OutOfMemory[];
  /** Runner invocations: 2 profiles + 2 per measured cut. */
  measurements: number;
}

/** Cuts tried beyond `topK` when some run out of memory, before the search gives up on finding one that fits. */
const EXTRA_TRIES_FOR_MEMORY = 4;

/** Estimates every cut's end-to-end latency from per-node profiles and the link model, then measures the best few. */
export async function searchPartition(modelPath: string, options: PartitionSearchOptions): Promise<PartitionSearchResult> {
  const path = resolve(modelPath);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new TierwiseError('MODEL_NOT_FOUND', `model file ${path} cannot be read`);
  }
  const model = loadModel(bytes, path);
  const { cuts, probe, index } = await listCuts(model, {
    shapes: options.shapes,
    inputs: options.inputs,
    feeds: options.feeds,
    maxTensors: options.maxTensors,
  });
  if (cuts.length === 0) throw new TierwiseError('PARTITION_NO_CUTS', `${path} has no tensor that separates its inputs from its outputs`);
  const links = options.links ?? defaultLinks();
  const origin = options.origin ?? 'mobile';
  for (const tier of [options.from, options.to]) tryRoute(origin, tier, links);
  tryRoute(options.from, options.to, links);
  const ioBytes = (names: string[]): number => names.reduce((s, n) => s + (probe.get(n)?.bytes ?? 0), 0);
  const route: PartitionRoute = {
    from: options.from,
    to: options.to,
    links,
    origin,
    requestBytes: options.requestBytes ?? ioBytes(model.graph!.input!.map((v) => v.name!).filter((n) => probe.has(n))),
    responseBytes: options.responseBytes ?? ioBytes(model.graph!.output!.map((v) => v.name!)),
  };
  const workDir = mkdtempSync(join(tmpdir(), 'tierwise-partition-'));
  try {
    const inputs = options.feeds ?? runnerInputs(model, probeSpec({ shapes: options.shapes, spec: options.inputs }));
    const samples = join(workDir, 'inputs.json');
    writeFileSync(samples, JSON.stringify([serializeSample('input', inputs)]));
    const profile = async (tier: string): Promise<TierCosts> => {
      const result = await measure({
        modelPath: path,
        tier: options.tierProfiles?.[tier] ?? tier,
        tierOverride: options.tierOverrides?.[tier],
        ...runLimits(options),
        warmup: options.warmup ?? 5,
        profile: { runs: options.profileRuns ?? (options.budgetMs === undefined ? 20 : 5) },
        inputs: { kind: 'samples', path: samples },
      });
      return { tier, p50Ms: result.p50, costs: attributeNodeTimes(index, result.nodeTimes ?? []) };
    };
    const outOfMemory: OutOfMemory[] = [];
    // A run past the tier's memory limit says the tier cannot hold that graph; the search goes on without it.
    const fitting = async <T>(what: string, tier: string, run: () => Promise<T>): Promise<T | null> => {
      try {
        return await run();
      } catch (error) {
        if (!(isTierwiseError(error) && error.code === 'RUNNER_OOM')) throw error;
        outOfMemory.push({ what, tier, message: error.message.split('\n')[0]! });
        return null;
      }
    };
    const profileOn = (tier: string) => fitting('whole', tier, () => profile(tier));
    const fromCosts = await profileOn(options.from);
    const toCosts = options.to === options.from ? fromCosts : await profileOn(options.to);
    if (!fromCosts || !toCosts) {
      if (!fromCosts && !toCosts)
        throw new TierwiseError(
          'PARTITION_NO_FIT',
          `neither ${options.from} nor ${options.to} holds the whole model to profile it: ${describe(outOfMemory)}`,
          { outOfMemory },
        );
    }
    const tierOf = (tier: string): TierProfile => options.tierProfiles?.[tier] ?? resolveTier(tier, options.tierOverrides?.[tier]);
    const a = fromCosts ?? scaledCosts(toCosts!, tierOf(options.to), options.from, tierOf(options.from));
    const b = toCosts ?? scaledCosts(fromCosts!, tierOf(options.from), options.to, tierOf(options.to));
    const minShare = options.minShare ?? 0;
    const balanced = (c: CutEstimate) => c.headMs + c.tailMs === 0 || Math.min(c.headMs, c.tailMs) / (c.headMs + c.tailMs) >= minShare;
    const candidates = cuts
      .map((cut) => ({ ...estimateCut(cut, a, b, route), cut }))
      .filter(balanced)
      .sort((x, y) => x.e2eMs - y.e2eMs);
    if (candidates.length === 0) {
      throw new TierwiseError(
        'PARTITION_NO_CUTS',
        `no cut of ${path} leaves at least ${(minShare * 100).toFixed(0)}% of the compute on each side`,
      );
    }
    const topK = Math.max(0, Math.min(options.topK ?? 3, candidates.length));
    const measured: MeasuredCut[] = [];
    const tried = (): number => measured.length + outOfMemory.filter((o) => o.what !== 'whole').length;
    for (const candidate of candidates) {
      if (measured.length >= topK || tried() >= topK + EXTRA_TRIES_FOR_MEMORY) break;
      const split = await fitting(candidate.id, `${options.from}|${options.to}`, () =>
        measureSplit(model, candidate.tensors, probe, options.from, options.to, workDir, inputs, options),
      );
      if (!split) continue;
      const e2eMs = split.headMs + split.tailMs + candidate.networkMs;
      measured.push({
        ...candidate,
        headMs: split.headMs,
        tailMs: split.tailMs,
        e2eMs,
        estimateMs: candidate.e2eMs,
        errorPct: ((candidate.e2eMs - e2eMs) / e2eMs) * 100,
      });
    }
    if (topK > 0 && measured.length === 0)
      throw new TierwiseError(
        'PARTITION_NO_FIT',
        `none of the ${tried()} cuts tried (best estimates first) runs within the tiers' memory: ${describe(outOfMemory)}`,
        { outOfMemory },
      );
    const best = measured.length > 0 ? [...measured].sort((x, y) => x.e2eMs - y.e2eMs)[0] : candidates[0];
    const errors = measured.map((m) => Math.abs(m.errorPct));
    return {
      model: path,
      route,
      profiles: [a, b]
        .filter((t, i) => i === 0 || t !== a)
        .map((t) => ({
          tier: t.tier,
          p50Ms: t.p50Ms,
          unattributedMs: t.costs.unattributedMs,
          basis: t === fromCosts || t === toCosts ? 'profiled' : `scaled from ${(fromCosts ?? toCosts)!.tier}`,
        })),
      whole: {
        onFromMs: fromCosts ? fromCosts.p50Ms + wholeNetworkMs(route, route.from) : null,
        onToMs: toCosts ? toCosts.p50Ms + wholeNetworkMs(route, route.to) : null,
      },
      candidates,
      measured,
      best: { id: best.id, tensors: best.tensors, e2eMs: best.e2eMs, basis: measured.length > 0 ? 'measured' : 'estimate' },
      estimateError:
        errors.length > 0 ? { meanAbsPct: errors.reduce((s, e) => s + e, 0) / errors.length, maxAbsPct: Math.max(...errors) } : null,
      outOfMemory,
      measurements: (b === a ? 1 : 2) + 2 * measured.length,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * One tier's per-node costs from another's: the runner scales raw times by the tier's slowdown
 * (threads / (cpus × coreSpeed)), so the same graph's costs move by the ratio of the two slowdowns. Exact for the
 * same thread count, an estimate otherwise; only ranking uses it, the chosen cuts are measured.
 */
function scaledCosts(source: TierCosts, sourceTier: TierProfile, name: string, tier: TierProfile): TierCosts {
  const factor = slowdown(tier) / slowdown(sourceTier);
  return {
    tier: name,
    p50Ms: source.p50Ms * factor,
    costs: { perNode: source.costs.perNode.map((ms) => ms * factor), unattributedMs: source.costs.unattributedMs * factor },
  };
}

function describe(outOfMemory: OutOfMemory[]): string {
  return outOfMemory.map((o) => `${o.what === 'whole' ? 'whole model' : `cut ${o.what}`} on ${o.tier}: ${o.message}`).join('; ');
}

function wholeNetworkMs(route: PartitionRoute, tier: string): number {
  return scenarioNetworkMs({ kind: 'partition', head: tier, tail: tier, cutBytes: 0 }, route, route.links, route.origin).totalMs;
}

function tryRoute(from: string, to: string, links: Link[]): void {
  try {
    routeBetween(from, to, links);
  } catch {
    throw new TierwiseError(
      'PARTITION_ROUTE_INVALID',
      `no link path from ${from} to ${to} (links: ${links.map((l) => `${l.from}-${l.to}`).join(', ')})`,
    );
  }
}
