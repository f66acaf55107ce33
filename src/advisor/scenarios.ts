import { TierwiseError } from '../common/errors';
import { DEFAULT_NETWORK as PAPER_NETWORK, resolveTransport, scenarioNetworkMs, tierLinks } from '../benchmark/network';
import { TIER_NAMES } from '../benchmark/tier-names';
import { hashString, seededRandom } from './random';
import type { LinkName, NetworkProfile, ScenarioId, Tier } from './types';

/**
 * Scenarios and their end-to-end latency. The request always arrives on mobile (as in the study): on-device
 * `edge` is an offload mobile→edge, `cloud` goes mobile→edge→cloud, and a partition `A|B` runs the head on A,
 * ships the cut tensor A→B and the tail on B. The response returns to mobile along the same hops.
 */

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

export function isScenarioId(value: string): value is ScenarioId {
  return (ALL_SCENARIOS as readonly string[]).includes(value);
}

export function scenarioTiers(scenario: ScenarioId): ScenarioTiers {
  if (!isScenarioId(scenario))
    throw new TierwiseError('SCENARIO_INVALID', `unknown scenario "${String(scenario)}"; expected one of ${ALL_SCENARIOS.join(', ')}`);
  const [head, tail = head] = scenario.split('|') as Tier[];
  return { head, tail, partition: head !== tail };
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
  return network;
}

/** The links between two tiers, in travel order; mobile↔cloud always relays through edge. */
export function hopsBetween(from: Tier, to: Tier): LinkName[] {
  const a = TIER_ORDER.indexOf(from);
  const b = TIER_ORDER.indexOf(to);
  const names: LinkName[] = [];
  for (let i = Math.min(a, b); i < Math.max(a, b); i++) names.push(i === 0 ? 'mobile-edge' : 'edge-cloud');
  return a <= b ? names : names.reverse();
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
}

/** Computed network time of one request in a scenario: request to the head, cut tensor head→tail, response home. */
export function scenarioNetworkCost(scenario: ScenarioId, bytes: TransferBytes, network: NetworkProfile): NetworkCost {
  const { head, tail, partition } = scenarioTiers(scenario);
  if (partition && bytes.cutBytes === undefined)
    throw new TierwiseError('PAYLOAD_INVALID', `scenario ${scenario} is a partition and needs the cut tensor's size`);
  // Every scenario is a "partition" for the link model: an on-device one has head = tail, so no cut crosses.
  const cost = scenarioNetworkMs({ kind: 'partition', head, tail, cutBytes: bytes.cutBytes ?? 0 }, bytes, tierLinks(network), 'mobile');
  return { requestMs: cost.requestMs, cutMs: cost.intermediateMs, responseMs: cost.responseMs, totalMs: cost.totalMs };
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

const WHERE: Record<ScenarioId, string> = {
  mobile: 'on mobile',
  edge: 'on the edge',
  cloud: 'in the cloud',
  'mobile|edge': 'split between mobile and the edge',
  'edge|cloud': 'split between the edge and the cloud',
  'mobile|cloud': 'split between mobile and the cloud',
};

/** "on the edge", "split between mobile and the edge": the place phrase the explanations use. */
export function describeScenario(scenario: ScenarioId): string {
  return WHERE[scenario];
}
