/**
 * A study's topology from its request: the paper's mobile–edge–cloud when it names none (the old
 * `{mobileEdgeMbps, edgeCloudMbps, rttMs}` stays valid), a preset (`paper`), or its own links between named
 * tiers, with the paths its scenarios are drawn from. Pure: the service and the planner's tests share it.
 */
import { DEFAULT_NETWORK, REQUEST_ENCODINGS, type Link, type RequestEncoding, type Transport } from '../benchmark/network';
import { checkLinks, checkPath, NETWORK_PRESETS, parsePath, pathsFrom, scenariosAlong, tiersOf } from '../benchmark/topology';
import { networkTiers, resolveNetwork } from '../advisor/scenarios';
import type { NetworkProfile } from '../advisor/types';
import { TierwiseError } from '../common/errors';
import { DEFAULT_STUDY_SCENARIOS } from './study-options';

export interface StudyNetworkRequest {
  mobileEdgeMbps?: number;
  edgeCloudMbps?: number;
  rttMs?: number;
  preset?: string;
  links?: Link[];
  origin?: string;
  /** `rpi5 → orin → cloud-gpu`, or the names as a list. */
  paths?: Array<string | string[]>;
  transport?: Partial<Transport>;
  requestEncoding?: RequestEncoding;
}

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new TierwiseError('NETWORK_INVALID', message, details);
}

function checkEncoding(encoding: string): RequestEncoding {
  if (!(REQUEST_ENCODINGS as readonly string[]).includes(encoding))
    invalid(`network.requestEncoding must be one of ${REQUEST_ENCODINGS.join(', ')}, got ${encoding}`, { requestEncoding: encoding });
  return encoding as RequestEncoding;
}

/** The network a study stores: legacy fields only for the paper's default, links + origin + paths otherwise. */
export function studyNetwork(request: StudyNetworkRequest = {}, knownTiers?: readonly string[]): NetworkProfile {
  const legacy = Object.fromEntries(
    (['mobileEdgeMbps', 'edgeCloudMbps', 'rttMs'] as const).filter((k) => request[k] !== undefined).map((k) => [k, request[k]]),
  ) as Partial<NetworkProfile>;
  const transport = {
    ...(request.transport ? { transport: request.transport } : {}),
    ...(request.requestEncoding !== undefined ? { requestEncoding: checkEncoding(request.requestEncoding) } : {}),
  };
  if (!request.links && request.preset === undefined) {
    if (request.origin !== undefined || request.paths !== undefined)
      invalid('network.origin and network.paths need network.links or network.preset');
    return resolveNetwork({ ...DEFAULT_NETWORK, ...legacy, ...transport });
  }
  let links: Link[];
  let origin: string | undefined = request.origin;
  let defaultPaths: string[][] | undefined;
  if (request.links) {
    if (Object.keys(legacy).length > 0)
      invalid(`network.links replaces ${Object.keys(legacy).join(', ')}: give each link its own mbps and rttMs instead`);
    if (request.preset !== undefined) invalid('give network.links or network.preset, not both');
    checkLinks(request.links, knownTiers);
    links = request.links.map((l) => ({ ...l }));
  } else {
    const preset = NETWORK_PRESETS[request.preset!];
    if (!preset)
      invalid(`network.preset ${request.preset} is unknown (presets: ${Object.keys(NETWORK_PRESETS).join(', ')})`, {
        preset: request.preset,
      });
    // The old fields map onto the preset's links: mobileEdgeMbps → mobile–edge, edgeCloudMbps → edge–cloud, rttMs → both.
    links = preset.links.map((l) => ({
      ...l,
      ...(l.from === 'mobile' && legacy.mobileEdgeMbps !== undefined ? { mbps: legacy.mobileEdgeMbps } : {}),
      ...(l.from === 'edge' && legacy.edgeCloudMbps !== undefined ? { mbps: legacy.edgeCloudMbps } : {}),
      ...(legacy.rttMs !== undefined ? { rttMs: legacy.rttMs } : {}),
    }));
    origin ??= preset.origin;
    defaultPaths = [preset.path];
  }
  origin ??= links[0].from;
  const tiers = tiersOf(links);
  if (!tiers.includes(origin)) invalid(`network.origin ${origin} has no link (tiers linked: ${tiers.join(', ')})`);
  const paths = request.paths?.map((p) => (typeof p === 'string' ? parsePath(p) : p)) ?? defaultPaths ?? pathsFrom(origin, links);
  for (const path of paths) {
    checkPath(path, links);
    if (path[0] !== origin) invalid(`path ${path.join(' → ')} starts at ${path[0]}; paths start where the request does (${origin})`);
  }
  const network: NetworkProfile = {
    // Kept so readers of the old fields still see the paper's figures; the links are what every cost uses.
    ...DEFAULT_NETWORK,
    ...transport,
    links,
    origin,
    paths,
    ...(request.preset !== undefined ? { preset: request.preset } : {}),
  };
  return resolveNetwork(network);
}

/** The tiers and scenarios a study runs when it names none: every tier along its paths, then neighbouring cuts. */
export function topologyDefaults(network: NetworkProfile): { tiers: string[]; scenarios: string[] } {
  if (!network.links) return { tiers: ['mobile', 'edge', 'cloud'], scenarios: [...DEFAULT_STUDY_SCENARIOS] };
  const paths = network.paths ?? [networkTiers(network)];
  return { tiers: [...new Set(paths.flat())], scenarios: scenariosAlong(paths) };
}
