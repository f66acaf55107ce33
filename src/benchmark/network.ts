/**
 * The link model: network cost is computed, not waited for, so bandwidth what-ifs are free.
 * One hop costs `rttMs + bytes × 8 / (mbps × 10^6)` seconds; a scenario sums the hops it crosses.
 */
export interface Link {
  from: string;
  to: string;
  mbps: number;
  rttMs: number;
}

/** Milliseconds to move `bytes` across one link, one way, including its round-trip time. */
export function hopMs(bytes: number, link: Pick<Link, 'mbps' | 'rttMs'>): number {
  if (!(link.mbps > 0)) throw new RangeError(`link bandwidth must be > 0 Mbps, got ${link.mbps}`);
  if (!(bytes >= 0)) throw new RangeError(`bytes must be >= 0, got ${bytes}`);
  return link.rttMs + (bytes * 8) / (link.mbps * 1e6) * 1e3;
}

/** Milliseconds to move `bytes` across every link of a path in turn (store-and-forward, as the study's relays did). */
export function pathMs(bytes: number, links: Array<Pick<Link, 'mbps' | 'rttMs'>>): number {
  return links.reduce((sum, link) => sum + hopMs(bytes, link), 0);
}

/** The study's links: mobile–edge 200 Mbps, edge–cloud 1 Mbps, no RTT (the paper's setting); override per study. */
/** The study's topology (mobile – edge – cloud) with a study's bandwidths and round-trip time. */
export function tierLinks(network: { mobileEdgeMbps: number; edgeCloudMbps: number; rttMs: number }): Link[] {
  return [
    { from: 'mobile', to: 'edge', mbps: network.mobileEdgeMbps, rttMs: network.rttMs },
    { from: 'edge', to: 'cloud', mbps: network.edgeCloudMbps, rttMs: network.rttMs },
  ];
}

export function defaultLinks(): Link[] {
  return [
    { from: 'mobile', to: 'edge', mbps: 200, rttMs: 0 },
    { from: 'edge', to: 'cloud', mbps: 1, rttMs: 0 },
  ];
}

/** Links are two-way; the route is the fewest-hop path (mobile→cloud crosses edge, as the study's relay did). */
export function route(from: string, to: string, links: Link[]): Link[] {
  if (from === to) return [];
  const previous = new Map<string, { node: string; link: Link }>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const link of links) {
      const next = link.from === node ? link.to : link.to === node ? link.from : null;
      if (next === null || seen.has(next)) continue;
      seen.add(next);
      previous.set(next, { node, link });
      if (next === to) {
        const path: Link[] = [];
        for (let at = to; at !== from; at = previous.get(at)!.node) path.unshift(previous.get(at)!.link);
        return path;
      }
      queue.push(next);
    }
  }
  throw new RangeError(`no route from ${from} to ${to} over the given links`);
}

/**
 * Where a request's work happens. The client is on `origin` (mobile by default). `partition`: the head runs on
 * `head`, the cut tensor (`cutBytes`) crosses to `tail`, which answers the client.
 */
export type Scenario =
  | { kind: 'on-device' }
  | { kind: 'offload' }
  | { kind: 'cloud' }
  | { kind: 'partition'; head: string; tail: string; cutBytes: number };

export interface NetworkCost {
  requestMs: number;
  intermediateMs: number;
  responseMs: number;
  totalMs: number;
}

/** Network time of one request in a scenario: request in, intermediate tensor (partitions), response back. */
export function scenarioNetworkMs(
  scenario: Scenario, payload: { requestBytes: number; responseBytes: number }, links: Link[] = defaultLinks(), origin = 'mobile',
): NetworkCost {
  const path = (a: string, b: string, bytes: number): number => pathMs(bytes, route(a, b, links));
  let requestMs = 0;
  let intermediateMs = 0;
  let responseMs = 0;
  if (scenario.kind === 'offload' || scenario.kind === 'cloud') {
    const server = scenario.kind === 'offload' ? 'edge' : 'cloud';
    requestMs = path(origin, server, payload.requestBytes);
    responseMs = path(server, origin, payload.responseBytes);
  } else if (scenario.kind === 'partition') {
    requestMs = path(origin, scenario.head, payload.requestBytes);
    intermediateMs = path(scenario.head, scenario.tail, scenario.cutBytes);
    responseMs = path(scenario.tail, origin, payload.responseBytes);
  }
  return { requestMs, intermediateMs, responseMs, totalMs: requestMs + intermediateMs + responseMs };
}
