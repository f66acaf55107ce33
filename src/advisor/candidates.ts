import { quantileSorted, sortedAscending } from './statistics';
import { networkOrigin, pairPartitionSamples, scenarioNetworkCost, scenarioTiers, type NetworkCost } from './scenarios';
import { DEFAULT_SCENARIOS } from './validate';
import type { NetworkProfile, Payloads, ScenarioId, SkippedCombination, StudyInput, Tier, TierMeasurement, VariantInfo } from './types';

/**
 * A candidate's network-independent part: compute samples (per tier, a partition's head and tail paired),
 * what it ships, and its footprint. Network cost is added later, so bandwidth sweeps reuse one draft.
 */
export interface CandidateDraft {
  id: string;
  variant: VariantInfo;
  shortName: string;
  scenario: ScenarioId;
  cut?: string;
  tiers: Tier[];
  computeSamples: Float64Array;
  computeP50Ms: number;
  computeP95Ms: number;
  cutBytes?: number;
  /** The larger of the pieces' peaks: each tier must hold its own piece. */
  peakMemoryBytes: number;
  /** The largest noise share among its measurements marked noisy (0 when all are quiet). */
  noiseShare: number;
  /**
   * The tier the model starts on turning the input into tensors (network.request.decode): the request as sent
   * where it arrives over a link, the sample as held on the origin; 0 when not measured.
   */
  inputDecodeMs: number;
}

const OPERATOR_ALIASES: Record<string, string> = { '': 'fp32', identity: 'fp32', 'distilled+sptq': 'dsptq' };

export function operatorAlias(operators: readonly string[]): string {
  const chain = operators.join('+');
  return OPERATOR_ALIASES[chain] ?? chain;
}

function measurementKey(variantId: string, tier: Tier, part: string, cut = ''): string {
  return `${variantId}|${tier}|${part}|${cut}`;
}

const noiseOf = (...ms: TierMeasurement[]): number => Math.max(0, ...ms.map((m) => m.noisyShare ?? 0));

function draftFrom(base: Omit<CandidateDraft, 'computeP50Ms' | 'computeP95Ms' | 'shortName'>): Omit<CandidateDraft, 'shortName'> {
  const sorted = sortedAscending(base.computeSamples);
  return { ...base, computeP50Ms: quantileSorted(sorted, 0.5), computeP95Ms: quantileSorted(sorted, 0.95) };
}

/** Every (variant, scenario[, cut]) the measurements support; the rest are reported as skipped, with why. */
export function buildDrafts(input: StudyInput): { drafts: CandidateDraft[]; skipped: SkippedCombination[] } {
  const byKey = new Map<string, TierMeasurement>();
  for (const m of input.measurements) byKey.set(measurementKey(m.variantId, m.tier, m.part, m.cut), m);
  const seed = input.seed ?? 1;
  const origin = networkOrigin(input.network);
  const decode = input.network?.request?.decode;
  // Where the model starts, the input becomes tensors: the request as sent on a tier it reaches, the sample as held on the origin.
  const decodeOn = (tier: Tier): number =>
    decode?.status !== 'measured' ? 0 : ((tier === origin ? decode.sampleMs[tier] : decode.requestMs[tier]) ?? 0);
  const drafts: Array<Omit<CandidateDraft, 'shortName'>> = [];
  const skipped: SkippedCombination[] = [];

  for (const variant of input.variants) {
    for (const scenario of input.scenarios ?? DEFAULT_SCENARIOS) {
      const { head, tail, partition } = scenarioTiers(scenario, input.network);
      if (!partition) {
        const whole = byKey.get(measurementKey(variant.id, head, 'whole'));
        if (!whole) {
          skipped.push({ variantId: variant.id, scenario, reason: `no whole-model measurement on ${head}` });
          continue;
        }
        drafts.push(
          draftFrom({
            id: `${variant.id}@${scenario}`,
            variant,
            scenario,
            tiers: [head],
            computeSamples: Float64Array.from(whole.samplesMs),
            peakMemoryBytes: whole.peakMemoryBytes,
            noiseShare: noiseOf(whole),
            inputDecodeMs: decodeOn(head),
          }),
        );
        continue;
      }
      const heads = input.measurements.filter((m) => m.variantId === variant.id && m.tier === head && m.part === 'head');
      const pairs = heads.flatMap((h) => {
        const t = byKey.get(measurementKey(variant.id, tail, 'tail', h.cut));
        return t ? [[h, t] as const] : [];
      });
      if (pairs.length === 0) {
        skipped.push({ variantId: variant.id, scenario, reason: `no head on ${head} and tail on ${tail} measured at the same cut` });
        continue;
      }
      for (const [h, t] of pairs) {
        const id = `${variant.id}@${scenario}#${h.cut}`;
        drafts.push(
          draftFrom({
            id,
            variant,
            scenario,
            cut: h.cut,
            tiers: [head, tail],
            computeSamples: pairPartitionSamples(h.samplesMs, t.samplesMs, id, seed),
            cutBytes: input.payloads.cutBytes[h.cut ?? ''],
            peakMemoryBytes: Math.max(h.peakMemoryBytes, t.peakMemoryBytes),
            noiseShare: noiseOf(h, t),
            inputDecodeMs: decodeOn(head),
          }),
        );
      }
    }
  }
  return { drafts: withShortNames(drafts), skipped };
}

/** `edge/dsptq`; variants sharing an operator chain add their id, partitions with several cuts add the cut. */
function withShortNames(drafts: Array<Omit<CandidateDraft, 'shortName'>>): CandidateDraft[] {
  const variantsPerAlias = new Map<string, Set<string>>();
  const cutsPerPlacement = new Map<string, number>();
  for (const d of drafts) {
    const alias = operatorAlias(d.variant.operators);
    const aliasAt = `${alias}@${d.scenario}`;
    variantsPerAlias.set(aliasAt, (variantsPerAlias.get(aliasAt) ?? new Set()).add(d.variant.id));
    const placement = `${d.variant.id}@${d.scenario}`;
    cutsPerPlacement.set(placement, (cutsPerPlacement.get(placement) ?? 0) + 1);
  }
  return drafts.map((d) => {
    const alias = operatorAlias(d.variant.operators);
    const name = (variantsPerAlias.get(`${alias}@${d.scenario}`)?.size ?? 0) > 1 ? `${alias}(${d.variant.id})` : alias;
    const cut = d.cut && (cutsPerPlacement.get(`${d.variant.id}@${d.scenario}`) ?? 0) > 1 ? `#${d.cut}` : '';
    return { ...d, shortName: `${d.scenario}${cut}/${name}` };
  });
}

export function draftNetworkMs(draft: CandidateDraft, payloads: Payloads, network: NetworkProfile): number {
  return draftNetworkCost(draft, payloads, network).totalMs;
}

/** The draft's network cost with its parts (and, at a slow-start restart boundary, its span). */
export function draftNetworkCost(draft: CandidateDraft, payloads: Payloads, network: NetworkProfile): NetworkCost {
  return scenarioNetworkCost(
    draft.scenario,
    { requestBytes: payloads.requestBytes, responseBytes: payloads.responseBytes, cutBytes: draft.cutBytes },
    network,
  );
}
