import { TierwiseError } from '../common/errors';
import { buildDrafts, draftNetworkMs, type CandidateDraft } from './candidates';
import { findViolations } from './feasibility';
import { formatMbps } from './format';
import { accuracyDropOf } from './rank';
import { networkLinks, resolveNetwork } from './scenarios';
import { linkName } from '../benchmark/topology';
import { validateStudyInput } from './validate';
import type { Crossover, LinkName, NetworkProfile, StudyInput, VariantInfo } from './types';

export interface CrossoverOptions {
  links?: LinkName[];
  minMbps?: number;
  maxMbps?: number;
  /** Grid density before bisection; a change between two grid points is always found, several only if they alternate. */
  pointsPerDecade?: number;
  /** Relative width at which bisection stops (0.01 = 1%). */
  precision?: number;
}

const LINK_FIELD: Record<LinkName, keyof Pick<NetworkProfile, 'mobileEdgeMbps' | 'edgeCloudMbps'>> = {
  'mobile-edge': 'mobileEdgeMbps',
  'edge-cloud': 'edgeCloudMbps',
};
/**
 * The network with one link's bandwidth set to `mbps`: the paper's two links move their field; a study's own
 * link moves its `mbps`, and its `reverseMbps` by the same factor (an asymmetric link keeps its ratio).
 */
function withLinkMbps(base: NetworkProfile, link: LinkName, mbps: number): NetworkProfile {
  if (!base.links) return { ...base, [LINK_FIELD[link]]: mbps };
  return {
    ...base,
    links: base.links.map((l) =>
      linkName(l) !== link ? l : { ...l, mbps, ...(l.reverseMbps !== undefined ? { reverseMbps: (l.reverseMbps * mbps) / l.mbps } : {}) },
    ),
  };
}

function arrow(link: LinkName, base: NetworkProfile): string {
  const found = networkLinks(base).find((l) => linkName(l) === link);
  return found ? `${found.from}→${found.to}` : link.replace('-', '→');
}

interface Contender {
  draft: CandidateDraft;
  accuracy: number;
  /** Feasible apart from the latency budget, which moves with the network. */
  staticallyFeasible: boolean;
}

/**
 * The bandwidths at which the top recommendation changes, sweeping each link (the other held at the study's
 * value). Uses p50s plus computed network time — no statistical ties — so a sweep costs microseconds per point.
 */
export function findCrossovers(input: StudyInput, options: CrossoverOptions = {}): Crossover[] {
  validateStudyInput(input);
  const { minMbps = 1, maxMbps = 1000, pointsPerDecade = 24, precision = 0.01 } = options;
  if (!(minMbps > 0 && maxMbps > minMbps))
    throw new TierwiseError('CROSSOVER_INVALID', `sweep range must satisfy 0 < min < max, got ${minMbps}–${maxMbps}`);
  const base = resolveNetwork(input.network);
  const constraints = input.constraints ?? {};
  const baseline = input.variants.find((v) => v.id === input.baselineVariantId) as VariantInfo;
  const contenders: Contender[] = buildDrafts(input).drafts.map((draft) => {
    const accuracyDrop = accuracyDropOf(draft.variant, baseline);
    const violations = findViolations(
      {
        accuracyDrop,
        p95Ms: 0,
        sizeBytes: draft.variant.sizeBytes,
        peakMemoryBytes: draft.peakMemoryBytes,
        fidelity: draft.variant.id === baseline.id ? 1 : (draft.variant.fidelity ?? null),
      },
      constraints,
    );
    return { draft, accuracy: draft.variant.accuracy?.value ?? -Infinity, staticallyFeasible: violations.length === 0 };
  });

  const topAt = (network: NetworkProfile): Contender | null => {
    let best: Contender | null = null;
    let bestP50 = Infinity;
    for (const c of contenders) {
      if (!c.staticallyFeasible) continue;
      const fixedMs = draftNetworkMs(c.draft, input.payloads, network) + c.draft.inputDecodeMs;
      if (constraints.latencyBudgetMs !== undefined && c.draft.computeP95Ms + fixedMs > constraints.latencyBudgetMs + 1e-9) continue;
      const p50 = c.draft.computeP50Ms + fixedMs;
      if (
        !best ||
        p50 < bestP50 ||
        (p50 === bestP50 && (c.accuracy > best.accuracy || (c.accuracy === best.accuracy && c.draft.id < best.draft.id)))
      ) {
        best = c;
        bestP50 = p50;
      }
    }
    return best;
  };

  const crossovers: Crossover[] = [];
  const known = networkLinks(base).map(linkName);
  for (const link of options.links ?? known) {
    if (!known.includes(link))
      throw new TierwiseError('CROSSOVER_INVALID', `link ${link} is not in the network (links: ${known.join(', ')})`);
    const at = (mbps: number): Contender | null => topAt(withLinkMbps(base, link, mbps));
    const steps = Math.max(1, Math.ceil(Math.log10(maxMbps / minMbps) * pointsPerDecade));
    const grid = Array.from({ length: steps + 1 }, (_, i) => minMbps * Math.pow(maxMbps / minMbps, i / steps));
    for (let i = 0; i < steps; i++) {
      let low = grid[i];
      let lowTop = at(low);
      const highTop = at(grid[i + 1]);
      // Walk every change inside the interval: bisect to the first one, then continue from there.
      while (lowTop !== highTop) {
        let high = grid[i + 1];
        while (high / low > 1 + precision) {
          const middle = Math.sqrt(low * high);
          if (at(middle) === lowTop) low = middle;
          else high = middle;
        }
        const next = at(high);
        // The change lies in [low, high]; its geometric middle is within half the precision of it.
        crossovers.push(describe(link, arrow(link, base), Math.sqrt(low * high), lowTop, next));
        low = high;
        lowTop = next;
      }
    }
  }
  return crossovers;
}

function describe(link: LinkName, linkArrow: string, mbps: number, from: Contender | null, to: Contender | null): Crossover {
  const place = `above ${formatMbps(mbps)} ${linkArrow}`;
  let sentence: string;
  if (to && from) sentence = `${place}, ${to.draft.shortName} overtakes ${from.draft.shortName}`;
  else if (to) sentence = `${place}, ${to.draft.shortName} becomes feasible and leads`;
  else sentence = `${place}, ${from?.draft.shortName ?? 'nothing'} stops meeting the constraints and nothing else does`;
  return { link, mbps, fromId: from?.draft.id ?? null, toId: to?.draft.id ?? null, sentence };
}
