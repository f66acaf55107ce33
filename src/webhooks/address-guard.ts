import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TierwiseError } from '../common/errors';

/** A CIDR block written as bytes, with the reason a webhook must not reach it. */
interface Block {
  bytes: number[];
  bits: number;
  reason: string;
}

const v4 = (cidr: string, reason: string): Block => {
  const [ip, bits] = cidr.split('/');
  return { bytes: ipv4Bytes(ip), bits: Number(bits), reason };
};
const v6 = (cidr: string, reason: string): Block => {
  const [ip, bits] = cidr.split('/');
  return { bytes: ipv6Bytes(ip), bits: Number(bits), reason };
};

const IPV4_BLOCKS: Block[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'IETF protocol assignment'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_BLOCKS: Block[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('::/96', 'IPv4-compatible (deprecated)'),
  v6('64:ff9b:1::/48', 'local-use NAT64'),
  v6('2001::/32', 'Teredo'),
  v6('2001:10::/28', 'ORCHID'),
  v6('2001:20::/28', 'ORCHIDv2'),
  v6('5f00::/16', 'SRv6 SID'),
  v6('100::/64', 'discard-only'),
  v6('2001:db8::/32', 'documentation'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local (deprecated)'),
  v6('ff00::/8', 'multicast'),
];

/** IPv6 prefixes that carry an IPv4 address, which is then judged as IPv4: [prefix, offset of the IPv4 bytes]. */
const EMBEDDING_IPV4: Array<{ block: Block; offset: number }> = [
  { block: v6('::ffff:0:0/96', 'IPv4-mapped'), offset: 12 },
  { block: v6('::ffff:0:0:0/96', 'IPv4-translated'), offset: 12 },
  { block: v6('64:ff9b::/96', 'NAT64'), offset: 12 },
  { block: v6('2002::/16', '6to4'), offset: 2 },
];

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Expands any valid IPv6 text form (`::`, a dotted IPv4 tail, a `%zone`) to its 16 bytes. */
function ipv6Bytes(ip: string): number[] {
  let text = ip.split('%')[0];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const [a, b, c, d] = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function inBlock(bytes: number[], block: Block): boolean {
  for (let bit = 0; bit < block.bits; bit++) {
    const index = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((bytes[index] & mask) !== (block.bytes[index] & mask)) return false;
  }
  return true;
}

/** Why a webhook must not be sent to this address (e.g. 'loopback'), or null when it is a public unicast address. */
export function forbiddenAddressReason(address: string): string | null {
  const family = isIP(address.split('%')[0]);
  if (family === 4) return IPV4_BLOCKS.find((block) => inBlock(ipv4Bytes(address), block))?.reason ?? null;
  if (family !== 6) return 'not an IP address';
  const bytes = ipv6Bytes(address);
  for (const { block, offset } of EMBEDDING_IPV4) {
    if (inBlock(bytes, block)) {
      const reason = forbiddenAddressReason(bytes.slice(offset, offset + 4).join('.'));
      return reason ? `${block.reason} ${reason}` : null;
    }
  }
  const blocked = IPV6_BLOCKS.find((block) => inBlock(bytes, block))?.reason;
  if (blocked) return blocked;
  // ISATAP interface identifiers (…:0:5efe:a.b.c.d, …:200:5efe:a.b.c.d) carry an IPv4 address in any prefix.
  if ((bytes[8] === 0 || bytes[8] === 2) && bytes[9] === 0 && bytes[10] === 0x5e && bytes[11] === 0xfe) {
    const reason = forbiddenAddressReason(bytes.slice(12, 16).join('.'));
    if (reason) return `ISATAP ${reason}`;
  }
  return null;
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const resolveAll: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

function refuse(host: string, address: string, reason: string): TierwiseError {
  const via = host === address ? '' : ` resolves to ${address}, which`;
  return new TierwiseError(
    'WEBHOOK_URL_FORBIDDEN',
    `url: ${host}${via} is a ${reason} address; webhooks go only to public addresses (the deployment can set ALLOW_PRIVATE_WEBHOOKS=true)`,
  );
}

/**
 * Resolves a host to every address it has and refuses it when any is not public, so that one private record
 * among public ones cannot be used to reach the inside. Returns the addresses, to connect to exactly those.
 */
export async function publicAddressesOf(
  host: string,
  resolver: Resolver = resolveAll,
): Promise<Array<{ address: string; family: number }>> {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  let addresses: Array<{ address: string; family: number }>;
  if (family !== 0) {
    addresses = [{ address: bare, family }];
  } else {
    try {
      addresses = await resolver(bare);
    } catch (error) {
      throw new TierwiseError(
        'WEBHOOK_URL_UNRESOLVABLE',
        `url: cannot resolve ${bare} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    if (addresses.length === 0) throw new TierwiseError('WEBHOOK_URL_UNRESOLVABLE', `url: ${bare} has no addresses`);
  }
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) throw refuse(bare, address, reason);
  }
  return addresses;
}

/** Parses a webhook URL: http or https only; the host must be public unless private webhooks are allowed. */
export async function assertDeliverableUrl(url: string, allowPrivate: boolean, resolver?: Resolver): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TierwiseError('WEBHOOK_URL_INVALID', 'url: not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TierwiseError('WEBHOOK_URL_INVALID', `url: only http and https are allowed, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (!allowPrivate) await publicAddressesOf(parsed.hostname, resolver);
  return parsed;
}
