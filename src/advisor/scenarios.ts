import { TierwiseError } from '../common/errors';
import { DEFAULT_NETWORK as PAPER_NETWORK, resolveTransport, route, scenarioNetworkMs, tierLinks, type Link } from '../benchmark/network';
import { TIER_NAMES } from '../benchmark/tier-names';
import { checkLinks, describeScenarioId, linkName, parseScenario, tiersOf } from '../benchmark/topology';
import { hashString, seededRandom } from './random';
import type { LinkName, NetworkProfile, ScenarioId, Tier } from './types';
import type { NetworkCost as LinkCost } from '../benchmark/network';

/**
 * Scenarios and their end-to-end latency. The request always arrives on the origin (mobile in the paper's
 * topology): a scenario `X` runs the whole model on X, reached over the fewest-hop route from the origin (`cloud`
 * goes mobile→edge→cloud); a partition `A|B` runs the head on A, ships the cut tensor A→B and the tail on B. The
 * response returns to the origin along the same hops. The topology is the study's links (benchmark/topology.ts),
 * or the paper's mobile–edge–cloud when it names none.
 */

/** The paper's tiers and scenarios: the defaults when a study names no topology. */
export const TIER_ORDER: readonly Tier[] = TIER_NAMES;
export const DEVICE_SCENARIOS: readonly ScenarioId[] = TIER_NAMES;
export const PARTITION_SCENARIOS: readonly ScenarioId[] = ['mobile|edge', 'edge|cloud', 'mobile|cloud'];
export const ALL_SCENARIOS: readonly ScenarioId[] = [...DEVICE_SCENARIOS, ...PARTITION_SCENARIOS];

export const DEFAULT_NETWORK: NetworkProfile = PAPER_NETWORK;

export interface ScenarioTiers {
  /** Where the model (or its head) runs. */
  head: Tier;
  /** Where the model ends; equals `head` on-device. */
  tail: Tier;
  partition: boolean;
}

/** A well-formed scenario id: a tier name, or `head|tail`. Whether its tiers exist depends on the topology. */
export function isScenarioId(value: string): value is ScenarioId {
  try {
    parseScenario(value);
    return true;
  } catch {
    return false;
  }
}

/** The network's links: its own, or the paper's two built from the mobile–edge–cloud fields. */
export function networkLinks(network: Partial<NetworkProfile> = {}): Link[] {
  return tierLinks({ ...DEFAULT_NETWORK, ...network });
}

/** Where the request starts: the network's origin, mobile in the paper's topology, else the first link's `from`. */
export function networkOrigin(network: Partial<NetworkProfile> = {}): Tier {
  if (network.origin) return network.origin;
  const links = networkLinks(network);
  return tiersOf(links).includes('mobile') ? 'mobile' : links[0].from;
}

/** Every tier of the network, the origin first, then outwards in route order (fewest hops, links in order). */
export function networkTiers(network: Partial<NetworkProfile> = {}): Tier[] {
  const links = networkLinks(network);
  const origin = networkOrigin(network);
  return [origin, ...tiersOf(links).filter((t) => t !== origin)].sort(
    (a, b) => route(origin, a, links).length - route(origin, b, links).length,
  );
}

export function scenarioTiers(scenario: ScenarioId, network?: Partial<NetworkProfile>): ScenarioTiers {
  if (network?.links) return parseScenario(scenario, networkLinks(network), networkOrigin(network));
  if (!(ALL_SCENARIOS as readonly string[]).includes(scenario))
    throw new TierwiseError('SCENARIO_INVALID', `unknown scenario "${String(scenario)}"; expected one of ${ALL_SCENARIOS.join(', ')}`);
  return parseScenario(scenario);
}

export function resolveNetwork(partial: Partial<NetworkProfile> = {}): NetworkProfile {
  const network = { ...DEFAULT_NETWORK, ...partial };
  for (const key of ['mobileEdgeMbps', 'edgeCloudMbps'] as const) {
    if (!(Number.isFinite(network[key]) && network[key] > 0))
      throw new TierwiseError('NETWORK_INVALID', `network.${key} must be a positive number of Mbps, got ${network[key]}`);
  }
  for (const key of ['rttMs', 'mobileEdgeRttMs', 'edgeCloudRttMs'] as const) {
    const value = network[key];
    if (key !== 'rttMs' && value === undefined) continue;
    if (!(Number.isFinite(value) && (value as number) >= 0))
      throw new TierwiseError('NETWORK_INVALID', `network.${key} must be >= 0, got ${value}`);
  }
  if (network.transport !== undefined) {
    try {
      resolveTransport(network.transport);
    } catch (error) {
      throw new TierwiseError('NETWORK_INVALID', `network.${(error as Error).message}`);
    }
  }
  if (network.links !== undefined) {
    checkLinks(network.links);
    const tiers = tiersOf(network.links);
    if (network.origin !== undefined && !tiers.includes(network.origin))
      throw new TierwiseError('NETWORK_INVALID', `network.origin ${network.origin} has no link (tiers linked: ${tiers.join(', ')})`);
    for (const tier of tiers) {
      try {
        route(networkOrigin(network), tier, network.links);
      } catch {
        throw new TierwiseError('NETWORK_INVALID', `network.links: no route from ${networkOrigin(network)} to ${tier}`);
      }
    }
  }
  return network;
}

/** The links between two tiers, in travel order (mobile↔cloud relays through edge), named `from-to` as given. */
export function hopsBetween(from: Tier, to: Tier, network?: Partial<NetworkProfile>): LinkName[] {
  if (from === to) return [];
  return route(from, to, networkLinks(network)).map(linkName);
}

export interface TransferBytes {
  requestBytes: number;
  responseBytes: number;
  /** Required for a partition. */
  cutBytes?: number;
}

export interface NetworkCost {
  requestMs: number;
  cutMs: number;
  responseMs: number;
  totalMs: number;
  /** At a slow-start restart boundary: the two figures the kernel may give (see LinkCost['span']). */
  span?: LinkCost['span'];
  /** Per leg and hop: the link figures each part paid (bandwidth, RTT, jitter, transport). */
  hops: LinkCost['hops'];
}

/** Computed network time of one request in a scenario: request to the head, cut tensor head→tail, response home. */
export function scenarioNetworkCost(scenario: ScenarioId, bytes: TransferBytes, network: NetworkProfile): NetworkCost {
  const { head, tail, partition } = scenarioTiers(scenario, network);
  if (partition && bytes.cutBytes === undefined)
    throw new TierwiseError('PAYLOAD_INVALID', `scenario ${scenario} is a partition and needs the cut tensor's size`);
  // Every scenario is a "partition" for the link model: an on-device one has head = tail, so no cut crosses.
  const cost = scenarioNetworkMs(
    { kind: 'partition', head, tail, cutBytes: bytes.cutBytes ?? 0 },
    bytes,
    networkLinks(network),
    networkOrigin(network),
  );
  return {
    requestMs: cost.requestMs,
    cutMs: cost.intermediateMs,
    responseMs: cost.responseMs,
    totalMs: cost.totalMs,
    ...(cost.span ? { span: cost.span } : {}),
    hops: cost.hops,
  };
}

/** 0, 1, …, size−1 repeated in fresh shuffles until `length` long: every index used equally often (±1). */
function balancedShuffledIndices(size: number, length: number, random: () => number): Uint32Array {
  const out = new Uint32Array(length);
  const deck = Array.from({ length: size }, (_, i) => i);
  for (let filled = 0; filled < length;) {
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deck[i], deck[j]] = [deck[j], deck[i]];
    }
    for (let i = 0; i < size && filled < length; i++) out[filled++] = deck[i];
  }
  return out;
}

/**
 * Compute-time samples of a partition: head and tail were measured in separate runs, so their sum is modelled
 * as independent draws. Pairing by index (or after sorting) would invent a correlation; instead both sides are
 * shuffled and paired at random, without replacement, max(n_head, n_tail) times. Every measured sample counts
 * (the shorter side's equally often), and the seed comes from the candidate id so results do not depend on order.
 */
export function pairPartitionSamples(head: readonly number[], tail: readonly number[], candidateId: string, seed: number): Float64Array {
  if (head.length === 0 || tail.length === 0)
    throw new TierwiseError('MEASUREMENT_INVALID', `partition ${candidateId} needs head and tail samples`);
  const random = seededRandom(hashString(candidateId) ^ seed);
  const length = Math.max(head.length, tail.length);
  const headOrder = balancedShuffledIndices(head.length, length, random);
  const tailOrder = balancedShuffledIndices(tail.length, length, random);
  const sums = new Float64Array(length);
  for (let i = 0; i < length; i++) sums[i] = head[headOrder[i]] + tail[tailOrder[i]];
  return sums;
}

/** End-to-end samples: network time is computed, so it is the same constant on every compute sample. */
export function addConstant(samples: ArrayLike<number>, constantMs: number): Float64Array {
  const out = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] + constantMs;
  return out;
}

/** "on the edge", "split between rpi5 and orin": the place phrase the explanations use. */
export function describeScenario(scenario: ScenarioId): string {
  return describeScenarioId(scenario);
}
