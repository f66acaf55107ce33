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
