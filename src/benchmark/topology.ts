/**
 * Tiers and links as data: a study's topology is a set of named tiers joined by links, and its scenarios are
 * paths through them. The request starts on the origin (a device tier); a scenario `X` runs the whole model on X
 * (the request travels the fewest-hop route from the origin to X and back), a partition `A|B` cuts the model
 * between two tiers of a path. Pure (no Node): the planner, the advisor and the dashboard share it.
 */
import { TierwiseError } from '../common/errors';
import { DEFAULT_NETWORK, defaultLinks, resolveTransport, route, type Link } from './network';
import { TIER_NAMES } from './tier-names';

export const TIER_ROLES = ['device', 'edge', 'cloud'] as const;
export type TierRole = (typeof TIER_ROLES)[number];

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
  /** device, edge or cloud: where on a path the tier sits (the paper's mobile is a device). */
  role?: TierRole;
  /** Real hardware: measured by a `--device` worker on it, unscaled (the envelope fields are then what it has). */
  native?: boolean;
}

/** Lower-case letters, digits and dashes, starting with a letter: it names a queue (`bench-<name>`) and a scenario. */
export const TIER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

/** The paper's tiers and their roles. */
export const PAPER_TIER_ROLES: Readonly<Record<(typeof TIER_NAMES)[number], TierRole>> = Object.freeze({
  mobile: 'device',
  edge: 'edge',
  cloud: 'cloud',
});

export interface NetworkPreset {
  origin: string;
  /** The tiers in path order, from the origin outwards. */
  path: string[];
  links: Link[];
  description: string;
}

/** Named link set-ups a study may start from; `paper` is the default (mobile–edge 200 Mbps, edge–cloud 1 Mbps, RTT 0). */
export const NETWORK_PRESETS: Readonly<Record<string, NetworkPreset>> = Object.freeze({
  paper: {
    origin: 'mobile',
    path: [...TIER_NAMES],
    links: defaultLinks(),
    description: `the paper's set-up: mobile–edge ${DEFAULT_NETWORK.mobileEdgeMbps} Mbps, edge–cloud ${DEFAULT_NETWORK.edgeCloudMbps} Mbps, RTT ${DEFAULT_NETWORK.rttMs} ms`,
  },
});

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new TierwiseError('NETWORK_INVALID', message, details);
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const nonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The key of a link regardless of direction: `a~b` with the names sorted. */
export function linkKey(a: string, b: string): string {
  return a < b ? `${a}~${b}` : `${b}~${a}`;
}

/** The name a link is swept and shown under: `from-to`, as the paper's `mobile-edge` and `edge-cloud`. */
export function linkName(link: Pick<Link, 'from' | 'to'>): string {
  return `${link.from}-${link.to}`;
}

/**
 * Checks a set of links: names, bandwidths, RTT, jitter and transport, no link twice, no link from a tier to
 * itself, every tier in `knownTiers` (when given). NETWORK_INVALID names the link at fault.
 */
export function checkLinks(links: readonly Link[], knownTiers?: readonly string[]): void {
  if (!Array.isArray(links) || links.length === 0) invalid('links: give at least one link between two tiers');
  const seen = new Set<string>();
  links.forEach((link, i) => {
    const at = `links[${i}]`;
    for (const end of ['from', 'to'] as const) {
      const name = link[end];
      if (typeof name !== 'string' || !TIER_NAME_PATTERN.test(name))
        invalid(`${at}.${end}: a tier name (lower-case letters, digits, dashes), got ${JSON.stringify(name)}`, { link: i });
      if (knownTiers && !knownTiers.includes(name))
        invalid(`${at}.${end}: tier "${name}" is not configured (known: ${knownTiers.join(', ')})`, { link: i, tier: name });
    }
    if (link.from === link.to) invalid(`${at}: a link joins two different tiers, got ${link.from} to itself`, { link: i });
    const key = linkKey(link.from, link.to);
    if (seen.has(key)) invalid(`${at}: ${link.from}–${link.to} is given twice (a link is two-way; use reverseMbps)`, { link: i });
    seen.add(key);
    if (!positive(link.mbps)) invalid(`${at}.mbps must be a positive number of Mbps, got ${String(link.mbps)}`, { link: i });
    if (link.reverseMbps !== undefined && !positive(link.reverseMbps))
      invalid(`${at}.reverseMbps must be a positive number of Mbps, got ${String(link.reverseMbps)}`, { link: i });
    if (!nonNegative(link.rttMs)) invalid(`${at}.rttMs must be >= 0, got ${String(link.rttMs)}`, { link: i });
    if (link.jitterMs !== undefined && !nonNegative(link.jitterMs))
      invalid(`${at}.jitterMs must be >= 0, got ${String(link.jitterMs)}`, { link: i });
    if (link.transport !== undefined) {
      try {
        resolveTransport(link.transport);
      } catch (error) {
        invalid(`${at}.${(error as Error).message}`, { link: i });
      }
    }
  });
}

/** The tiers the links join, in first-mention order. */
export function tiersOf(links: readonly Link[]): string[] {
  return [...new Set(links.flatMap((l) => [l.from, l.to]))];
}

/**
 * Parses a path written `rpi5 → orin → cloud-gpu` (or with `>`, `->` or commas) into its tier names.
 */
export function parsePath(text: string): string[] {
  return text
    .split(/\s*(?:→|->|>|,)\s*/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Checks that consecutive tiers of a path are joined by a link; a path visits a tier once. */
export function checkPath(path: readonly string[], links: readonly Link[]): void {
  if (path.length === 0) invalid('a path names at least one tier');
  if (new Set(path).size !== path.length) invalid(`path ${path.join(' → ')} visits a tier twice`);
  const keys = new Set(links.map((l) => linkKey(l.from, l.to)));
  for (let i = 0; i + 1 < path.length; i++) {
    if (!keys.has(linkKey(path[i], path[i + 1])))
      invalid(`path ${path.join(' → ')}: no link joins ${path[i]} and ${path[i + 1]}`, { from: path[i], to: path[i + 1] });
  }
}

/**
 * Every maximal simple path from `origin` over the links (depth first, links in the order given): the routes a
 * request can take outwards. A chain `a – b – c` gives one path, a star gives one per arm.
 */
export function pathsFrom(origin: string, links: readonly Link[]): string[][] {
  const neighbours = (node: string) => links.flatMap((l) => (l.from === node ? [l.to] : l.to === node ? [l.from] : []));
  const out: string[][] = [];
  const walk = (path: string[]) => {
    const next = neighbours(path[path.length - 1]).filter((n) => !path.includes(n));
    if (next.length === 0) out.push(path);
    for (const n of next) walk([...path, n]);
  };
  walk([origin]);
  return out;
}

/** The cuts along a path: neighbouring pairs (`a|b`, `b|c`), or every ordered pair head-before-tail with `all`. */
export function cutsAlong(path: readonly string[], all = false): Array<[string, string]> {
  const cuts: Array<[string, string]> = [];
  for (let i = 0; i < path.length; i++) for (let j = i + 1; j < path.length; j++) if (all || j === i + 1) cuts.push([path[i], path[j]]);
  return cuts;
}

/**
 * The scenarios along paths: each tier on its own, then the neighbouring cuts (as the paper's default
 * mobile, edge, cloud, mobile|edge, edge|cloud), de-duplicated across paths in order.
 */
export function scenariosAlong(paths: readonly (readonly string[])[], allCuts = false): string[] {
  const singles = paths.flatMap((p) => [...p]);
  const cuts = paths.flatMap((p) => cutsAlong(p, allCuts).map(([a, b]) => `${a}|${b}`));
  return [...new Set([...singles, ...cuts])];
}

export interface ParsedScenario {
  head: string;
  tail: string;
  partition: boolean;
}

/**
 * A scenario id: `X` (whole model on X) or `A|B` (head on A, tail on B). With `links`, both tiers must be
 * reachable from the origin and a partition's tail must lie beyond its head on the route from the origin
 * (a cut between two tiers along a path).
 */
export function parseScenario(id: string, links?: readonly Link[], origin?: string): ParsedScenario {
  const parts = typeof id === 'string' ? id.split('|') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => TIER_NAME_PATTERN.test(p)))
    throw new TierwiseError('SCENARIO_INVALID', `scenario "${String(id)}": expected a tier name or head|tail (e.g. orin|cloud-gpu)`);
  const [head, tail = head] = parts;
  if (parts.length === 2 && head === tail)
    throw new TierwiseError('SCENARIO_INVALID', `scenario "${id}": a partition's head and tail are two different tiers`);
  if (links && origin) {
    const known = new Set([origin, ...tiersOf(links)]);
    for (const tier of [head, tail])
      if (!known.has(tier))
        throw new TierwiseError('SCENARIO_INVALID', `scenario "${id}": tier ${tier} has no link (tiers linked: ${[...known].join(', ')})`, {
          scenario: id,
          tier,
        });
    if (head !== tail) {
      const toTail = route(origin, tail, [...links]);
      const onPath = origin === head || toTail.some((l) => l.from === head || l.to === head);
      if (!onPath)
        throw new TierwiseError(
          'SCENARIO_INVALID',
          `scenario "${id}": ${head} is not on the way from ${origin} to ${tail}, so no path crosses ${head} then ${tail}`,
          { scenario: id },
        );
    }
  }
  return { head, tail, partition: head !== tail };
}

/** "on mobile", "on the edge", "in the cloud" for the paper's tiers; "on rpi5" for any other. */
export function describeTier(tier: string): string {
  if (tier === 'edge') return 'on the edge';
  if (tier === 'cloud') return 'in the cloud';
  return `on ${tier}`;
}

/** The tier's name as a sentence's object: "the edge", "the cloud", "mobile", "orin". */
function tierNoun(tier: string): string {
  return tier === 'edge' || tier === 'cloud' ? `the ${tier}` : tier;
}

/** "on the edge", "split between rpi5 and orin": the place phrase explanations use. */
export function describeScenarioId(id: string): string {
  const [head, tail] = id.split('|');
  return tail === undefined ? describeTier(head) : `split between ${tierNoun(head)} and ${tierNoun(tail)}`;
}
