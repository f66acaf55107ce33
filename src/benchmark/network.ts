/**
 * The link model: network cost is computed, not waited for, so bandwidth what-ifs are free. It is the one
 * transfer model of Tierwise (advisor, crossovers, partition search, report, netcheck, and the dashboard in the
 * browser — so this module is pure: no Node imports).
 *
 * Per hop, a request and its response form ONE exchange, and the exchange pays what TCP makes it pay:
 *  - the round trip once (half out with the request, half back with the response), not once per direction;
 *  - a new connection (`per-request`) first pays the TCP handshake (1 RTT) and the TLS one (1.2: 2 RTT, 1.3: 1);
 *  - slow start: a sender with a congestion window of `w` segments sends `w`, then waits for the first ACK
 *    (RTT + one segment's serialization) before sending 2w; the link idles `RTT + S − w·S` per such round until
 *    the window covers the path (Cardwell, Savage & Anderson, "Modeling TCP latency", INFOCOM 2000, without loss).
 *    A new connection starts at the initial window (RFC 6928: 10 segments). On a kept-alive connection a
 *    cubic/reno sender restarts after an idle gap longer than its RTO as Linux does (RFC 5681 §4.1, RFC 7661 /
 *    RFC 2861: the window is halved per RTO idle, down to the initial window); a bbr sender does not (it paces at
 *    its bandwidth estimate);
 *  - segments carry MSS = MTU − 40 (IPv4 + TCP) − 12 (timestamps) payload bytes;
 *  - with a loss rate p > 0 the rate is capped by the Mathis et al. bound (Mathis, Semke, Mahdavi & Ott, "The
 *    macroscopic behavior of the TCP congestion avoidance algorithm", CCR 1997): MSS / RTT × sqrt(3/2) / sqrt(p).
 * With rttMs = 0 all of this vanishes and a hop costs `bytes × 8 / bandwidth` — the paper's zero-RTT figures.
 */
export type Connection = 'kept-alive' | 'per-request';
export type Tls = 'none' | '1.2' | '1.3';

export interface Transport {
  /** `kept-alive`: requests reuse one connection (HTTP keep-alive / HTTP/2 pools); `per-request`: a new one each. */
  connection: Connection;
  /** Kept-alive: the idle time between two requests on the connection (decides slow-start restart). */
  idleGapMs: number;
  /** TLS version of a new connection; `none` for plain TCP. */
  tls: Tls;
  /** Path MTU in bytes. */
  mtu: number;
  /** Initial congestion window in segments. */
  initialWindow: number;
  /** Slow-start restart after idle: true as cubic and reno do, false as bbr. */
  slowStartRestart: boolean;
  /** Packet loss rate, 0 ≤ p < 1; caps the rate by the Mathis bound. */
  lossRate: number;
  /**
   * Header bytes per segment that count against the bandwidth. 0: the bandwidth is goodput (what a speed test
   * reports and what the studies state). 52 (IPv4 + TCP + timestamps) when it is the IP rate of a shaper, as
   * netcheck's delay line is.
   */
  headerBytes: number;
  /** Fixed host cost per exchange (both ends' stacks and the app's socket handling); 0 unless measured. */
  endpointMs: number;
}

/**
 * What a mobile app sees by default: one kept-alive HTTPS connection (OkHttp and URLSession pool connections),
 * requests about a second apart (an app classifying a photo or a sentence at human pace), TLS 1.3 (the Android
 * 10+/iOS 12.2+ default; it matters only for new connections), a 1500-byte MTU (Wi-Fi, LTE), the Linux/Android
 * initial window of 10 segments, cubic on the phone (Android and iOS), so slow start restarts after the idle
 * second, and no loss. Bandwidths are goodput.
 */
export const MOBILE_TRANSPORT: Readonly<Transport> = Object.freeze({
  connection: 'kept-alive',
  idleGapMs: 1000,
  tls: '1.3',
  mtu: 1500,
  initialWindow: 10,
  slowStartRestart: true,
  lossRate: 0,
  headerBytes: 0,
  endpointMs: 0,
});

export interface Link {
  from: string;
  to: string;
  /** Bandwidth from `from` to `to`. */
  mbps: number;
  /** Bandwidth from `to` back to `from`, when it differs (an uplink slower than its downlink); default `mbps`. */
  reverseMbps?: number;
  rttMs: number;
  /**
   * Spread of the RTT (ms, one standard deviation), when known. Recorded and shown beside every hop figure; the
   * computed cost uses the mean RTT (the advisor states this assumption in the hop list).
   */
  jitterMs?: number;
  /** How TCP is used on this link; unset fields take MOBILE_TRANSPORT's. */
  transport?: Partial<Transport>;
}

type LinkSpec = Pick<Link, 'mbps' | 'rttMs' | 'transport'>;

const TLS_RTTS: Record<Tls, number> = { none: 0, '1.2': 2, '1.3': 1 };
/** Linux's RTO floor (TCP_RTO_MIN); RTO ≈ srtt + max(4·rttvar, 200 ms) on a steady path. */
const RTO_MIN_MS = 200;
/**
 * How far the kernel's RTO may sit from the model's srtt + 200 ms beyond the queue it saw: it is rounded up to
 * the timer tick (4 ms at HZ 250), and the hosts' own handling adds a millisecond or two to every RTT sample.
 */
const SRTT_SLACK_MS = 5;

/** The link's transport with defaults filled in and checked. */
export function resolveTransport(partial: Partial<Transport> = {}): Transport {
  const t: Transport = { ...MOBILE_TRANSPORT, ...stripUndefined(partial) };
  const bad = (what: string) => {
    throw new RangeError(`transport.${what}`);
  };
  if (t.connection !== 'kept-alive' && t.connection !== 'per-request')
    bad(`connection must be kept-alive or per-request, got ${String(t.connection)}`);
  if (!(t.tls in TLS_RTTS)) bad(`tls must be none, 1.2 or 1.3, got ${String(t.tls)}`);
  if (!(t.idleGapMs >= 0)) bad(`idleGapMs must be >= 0, got ${t.idleGapMs}`);
  if (!(Number.isInteger(t.mtu) && t.mtu >= 576 && t.mtu <= 65535)) bad(`mtu must be an integer 576–65535, got ${t.mtu}`);
  if (!(Number.isInteger(t.initialWindow) && t.initialWindow >= 1)) bad(`initialWindow must be a positive integer, got ${t.initialWindow}`);
  if (typeof t.slowStartRestart !== 'boolean') bad('slowStartRestart must be true or false');
  if (!(t.lossRate >= 0 && t.lossRate < 1)) bad(`lossRate must be in [0, 1), got ${t.lossRate}`);
  if (!(t.headerBytes >= 0)) bad(`headerBytes must be >= 0, got ${t.headerBytes}`);
  if (!(t.endpointMs >= 0)) bad(`endpointMs must be >= 0, got ${t.endpointMs}`);
  return t;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Payload bytes per segment: MTU − 20 (IPv4) − 20 (TCP) − 12 (timestamp option, on by default in Linux, Android, iOS). */
export const mssOf = (mtu: number): number => mtu - 52;

function checkLink(link: LinkSpec): void {
  if (!(link.mbps > 0)) throw new RangeError(`link bandwidth must be > 0 Mbps, got ${link.mbps}`);
  if (!(link.rttMs >= 0)) throw new RangeError(`link rttMs must be >= 0, got ${link.rttMs}`);
}

/** The rate bytes flow at, in Mbps: the link's, or lower under loss (Mathis bound). */
export function effectiveMbps(link: LinkSpec): number {
  const t = resolveTransport(link.transport);
  if (!(t.lossRate > 0) || !(link.rttMs > 0)) return link.mbps;
  const mathisMbps = (((mssOf(t.mtu) * 8) / (link.rttMs / 1e3)) * Math.sqrt(1.5 / t.lossRate)) / 1e6;
  return Math.min(link.mbps, mathisMbps);
}

export interface OneWay {
  /** Serialization of payload (+ headers when counted) at the effective rate. */
  wireMs: number;
  /** Time the link idles waiting for ACKs while slow start opens the window. */
  slowStartMs: number;
  /** Round trips the window took to cover the path (0 when it already did). */
  rounds: number;
  /** Half the RTT: the last byte's trip to the far end. */
  propagationMs: number;
  /** The congestion window (segments) after the transfer: what a kept-alive connection keeps. */
  endWindow: number;
  /**
   * The queue at the bottleneck behind the last segment (ms): segments in flight beyond the path once the window
   * outgrew it. In slow start each ACK lets two segments out, so at the last send the window is (start + all) / 2.
   */
  standingQueueMs: number;
  /**
   * How much more the sender's smoothed RTT may have seen at the end (ms): the last slow-start round leaves as a
   * burst at twice the rate the link drains it, so its later segments queue behind up to half of it.
   */
  burstQueueMs: number;
  totalMs: number;
}

/**
 * One direction of a transfer: `bytes` from a sender whose window is `window` segments (Infinity: the window
 * already covers the path). Payload sizes 0 cost only the propagation.
 */
export function oneWay(bytes: number, link: LinkSpec, window: number): OneWay {
  checkLink(link);
  if (!(bytes >= 0)) throw new RangeError(`bytes must be >= 0, got ${bytes}`);
  const t = resolveTransport(link.transport);
  const mss = mssOf(t.mtu);
  const segments = Math.ceil(bytes / mss);
  const bitsPerMs = effectiveMbps(link) * 1e3;
  const segmentMs = ((mss + t.headerBytes) * 8) / bitsPerMs;
  const wireMs = ((bytes + segments * t.headerBytes) * 8) / bitsPerMs;
  let slowStartMs = 0;
  let rounds = 0;
  let w = window;
  let remaining = segments;
  let lastRound = 0;
  // A round: the window's segments leave back to back, then the first ACK returns RTT + one segment later.
  while (remaining > w && w * segmentMs < link.rttMs + segmentMs) {
    slowStartMs += link.rttMs + segmentMs - w * segmentMs;
    remaining -= w;
    lastRound = w;
    w *= 2;
    rounds += 1;
  }
  const propagationMs = link.rttMs / 2;
  // What is left leaves on the ACK clock (the window covers the path) or as one last burst (it all fits).
  const pipeSegments = (link.rttMs + segmentMs) / segmentMs;
  const inFlightAtLastSend = remaining > w ? (remaining + w) / 2 : remaining;
  const standingQueueMs = Math.max(0, inFlightAtLastSend - pipeSegments) * segmentMs;
  // The last burst, when the transfer ends in one (what is left fits the window): the last slow-start round, or the
  // whole transfer when it fit the start window. None when it ends on the ACK clock (the standing queue is it).
  const burst = remaining > w ? 0 : rounds > 0 ? lastRound : remaining;
  const burstQueueMs = (Math.min(burst, pipeSegments) / 2) * segmentMs;
  return {
    wireMs,
    slowStartMs,
    rounds,
    propagationMs,
    endWindow: window + segments,
    standingQueueMs: Number.isFinite(standingQueueMs) ? standingQueueMs : 0,
    burstQueueMs: Number.isFinite(burstQueueMs) ? burstQueueMs : 0,
    totalMs: wireMs + slowStartMs + propagationMs,
  };
}

/**
 * The windows a sender may start a transfer of `bytes` with, on this link's connection mode, in steady state
 * (every request alike), smallest halving count first: one window, or two where the kernel itself flips between
 * them. A new connection starts at the initial window (RFC 6928: IW10); a kept-alive one keeps what the last
 * transfer grew it to (slow start: one segment per segment ACKed, RFC 5681 §3.1), except that a cubic/reno sender
 * idle longer than its RTO restarts: RFC 5681 §4.1 and RFC 7661 (RFC 2861's window decay) as Linux does it
 * (tcp_cwnd_restart under net.ipv4.tcp_slow_start_after_idle=1, the default): the window is halved once per RTO
 * of idle, not below the initial window. bbr does not restart.
 *
 * Linux counts the idle from its last data segment and halves while `(idle -= rto) > 0`, with
 * rto = srtt + max(rttvar, 200 ms) as the transfer left them. So the idle is the app's gap plus the time from the
 * last segment to the answer (RTT + the queue behind that segment), and srtt is the RTT plus the queue the
 * transfer built: both come from the transfer itself (`oneWay`: its standing queue, and half its last slow-start
 * burst in srtt). The steady state is followed from the connection's first request, as the kernel reaches it (two
 * windows can each reproduce themselves: 2 MB at 50 Mbps / 60 ms holds at 197 or at 460 segments; from a new
 * connection the kernel settles at 197). Where the halving count would tip if srtt had fallen back to the RTT
 * plus the standing queue (the last ACKs saw none of the burst), or sat a timer tick higher, the window it tips to
 * comes second. Read off this kernel with `ss -ti`: 600 kB at 200 Mbps / 60 ms, 1 s apart, restarts at 59
 * segments when the RTO ends at 268 ms (246–250 ms) and at 26 when it ends at 264 ms (309 ms); 2 MB restarts at
 * 197 (251–258 ms) when the RTO ends at 268–284 ms and at 98 (309–326 ms) below; over three quiet runs of three
 * samples, 5 of 9 took the second.
 */
export function startWindows(bytes: number, link: LinkSpec): number[] {
  const t = resolveTransport(link.transport);
  if (t.connection === 'per-request') return [t.initialWindow];
  // bbr does not restart; nor does any sender idle for less than the RTO floor (idle + srtt ≤ srtt + 200 ms).
  if (!t.slowStartRestart || t.idleGapMs <= RTO_MIN_MS) return [Infinity];
  const segments = Math.ceil(bytes / mssOf(t.mtu));
  // What a transfer from window w leaves for the next one: srtt ends at the RTT plus the queue the last segments saw
  // (the smoothing follows the last burst's rising RTTs); the idle runs from the last segment, one RTT plus the
  // queue behind it before the answer, then the app's gap.
  const after = (w: number, srttAt: 'likely' | 'low' | 'high' = 'likely'): number => {
    const leg = oneWay(bytes, link, w);
    const idleMs = t.idleGapMs + link.rttMs + leg.standingQueueMs;
    // The likely srtt has followed the last burst's rising RTTs; it may also have fallen back to the standing
    // queue alone (the last ACKs saw none of the burst), or sit a timer tick above.
    const burstMs = { likely: leg.burstQueueMs, low: -SRTT_SLACK_MS, high: leg.burstQueueMs + SRTT_SLACK_MS }[srttAt];
    const srtt = Math.max(link.rttMs, link.rttMs + leg.standingQueueMs + burstMs);
    const halvings = Math.max(0, Math.ceil(idleMs / (srtt + RTO_MIN_MS)) - 1);
    const grown = (Number.isFinite(w) ? w : t.initialWindow) + segments;
    // Linux: while ((delta -= rto) > 0 && cwnd > restart_cwnd) cwnd >>= 1;
    return halvings === 0 ? Infinity : Math.max(t.initialWindow, Math.floor(grown / 2 ** halvings));
  };
  // From the connection's first request (the initial window) to the steady state, as the kernel gets there.
  const seen: number[] = [t.initialWindow];
  for (let i = 0; i < 40; i++) {
    const next = after(seen[seen.length - 1]!);
    const at = seen.indexOf(next);
    if (at >= 0) {
      const cycle = seen.slice(at);
      // A window the kernel keeps; where its timer rounding can tip the halving count, the window it tips to.
      if (cycle.length === 1) {
        const tipped = [after(next, 'high'), after(next, 'low')].filter((w) => w !== next);
        return [next, ...tipped.slice(0, 1)];
      }
      return cycle.slice(0, 2); // it alternates between two
    }
    seen.push(next);
  }
  return [seen[seen.length - 1]!];
}

/** The window the model takes: the one start window, or the likelier of two (legMs shows both). */
export function startWindow(bytes: number, link: LinkSpec): number {
  return startWindows(bytes, link)[0]!;
}

/** Round trips a new connection pays before its first byte: TCP's handshake and TLS's. */
export function handshakeMs(link: LinkSpec): number {
  const t = resolveTransport(link.transport);
  return t.connection === 'per-request' ? (1 + TLS_RTTS[t.tls]) * link.rttMs : 0;
}

/**
 * A leg at a slow-start restart boundary: the kernel restarts from either of two windows from one request to the
 * next, so the leg costs one of two figures. The model's figure is the likelier (the window its srtt estimate
 * gives); both are shown beside it.
 */
export interface RestartBoundary {
  windows: [number, number];
  lowMs: number;
  highMs: number;
}

export interface HopCost {
  handshakeMs: number;
  endpointMs: number;
  /** The leg from the likelier start window (at a restart boundary the other is in `boundary`). */
  leg: OneWay;
  boundary?: RestartBoundary;
  totalMs: number;
}

/** One leg over one hop: `bytes` one way; `opensExchange` when this is the exchange's first crossing of the hop. */
export function legMs(bytes: number, link: LinkSpec, opensExchange: boolean): HopCost {
  const t = resolveTransport(link.transport);
  const [first, second] = startWindows(bytes, link);
  const handshake = opensExchange ? handshakeMs(link) : 0;
  const endpoint = opensExchange ? t.endpointMs : 0;
  const a = oneWay(bytes, link, first!);
  if (second === undefined) return { handshakeMs: handshake, endpointMs: endpoint, leg: a, totalMs: handshake + endpoint + a.totalMs };
  const b = oneWay(bytes, link, second);
  // Two windows that cost the same (both cover the path) are no boundary.
  if (Math.abs(a.totalMs - b.totalMs) <= 0.01 * a.totalMs)
    return { handshakeMs: handshake, endpointMs: endpoint, leg: a, totalMs: handshake + endpoint + a.totalMs };
  const [low, high] = a.totalMs <= b.totalMs ? [a, b] : [b, a];
  const fixed = handshake + endpoint;
  return {
    handshakeMs: handshake,
    endpointMs: endpoint,
    leg: a,
    boundary: { windows: [first!, second], lowMs: fixed + low.totalMs, highMs: fixed + high.totalMs },
    totalMs: fixed + a.totalMs,
  };
}

/** A request–response exchange over one hop: handshake if new, the request, the response; one RTT in all. */
export function exchangeMs(requestBytes: number, responseBytes: number, link: LinkSpec): number {
  return exchangeCost(requestBytes, responseBytes, link).totalMs;
}

/** The exchange with its span: low and high are equal unless a leg sits at a restart boundary. */
export function exchangeCost(
  requestBytes: number,
  responseBytes: number,
  link: LinkSpec,
): { totalMs: number; lowMs: number; highMs: number } {
  const legs = [legMs(requestBytes, link, true), legMs(responseBytes, link, false)];
  const sum = (f: (h: HopCost) => number) => legs.reduce((s, h) => s + f(h), 0);
  return {
    totalMs: sum((h) => h.totalMs),
    lowMs: sum((h) => h.boundary?.lowMs ?? h.totalMs),
    highMs: sum((h) => h.boundary?.highMs ?? h.totalMs),
  };
}

/**
 * The study's topology (mobile – edge – cloud) with a study's bandwidths, round-trip time and transport; a link's
 * own RTT (`mobileEdgeRttMs`, `edgeCloudRttMs`) replaces the shared `rttMs` for that link.
 */
export function tierLinks(network: {
  mobileEdgeMbps: number;
  edgeCloudMbps: number;
  rttMs: number;
  mobileEdgeRttMs?: number;
  edgeCloudRttMs?: number;
  transport?: Partial<Transport>;
  /** A study's own topology: when given, these are the links (the shared `transport` fills what a link leaves unset). */
  links?: Link[];
}): Link[] {
  const transport = network.transport;
  if (network.links && network.links.length > 0)
    return network.links.map((link) => {
      const merged = transport || link.transport ? { ...transport, ...link.transport } : undefined;
      return { ...link, ...(merged ? { transport: merged } : {}) };
    });
  return [
    {
      from: 'mobile',
      to: 'edge',
      mbps: network.mobileEdgeMbps,
      rttMs: network.mobileEdgeRttMs ?? network.rttMs,
      ...(transport ? { transport } : {}),
    },
    {
      from: 'edge',
      to: 'cloud',
      mbps: network.edgeCloudMbps,
      rttMs: network.edgeCloudRttMs ?? network.rttMs,
      ...(transport ? { transport } : {}),
    },
  ];
}

/** The paper's network: mobile–edge 200 Mbps, edge–cloud 1 Mbps, no RTT; studies override it. Defined once, here. */
export const DEFAULT_NETWORK: Readonly<{ mobileEdgeMbps: number; edgeCloudMbps: number; rttMs: number }> = Object.freeze({
  mobileEdgeMbps: 200,
  edgeCloudMbps: 1,
  rttMs: 0,
});

/** The paper's links (DEFAULT_NETWORK as links). */
export function defaultLinks(): Link[] {
  return tierLinks(DEFAULT_NETWORK);
}

/** The bandwidth of `link` when crossed from `at` (its `from` end: `mbps`; its `to` end: `reverseMbps ?? mbps`). */
export function directedLink(link: Link, at: string): Link {
  return link.from === at || link.reverseMbps === undefined ? link : { ...link, mbps: link.reverseMbps };
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
  { kind: 'on-device' } | { kind: 'offload' } | { kind: 'cloud' } | { kind: 'partition'; head: string; tail: string; cutBytes: number };

export interface NetworkCost {
  requestMs: number;
  intermediateMs: number;
  responseMs: number;
  totalMs: number;
  /** Where a leg sits at a slow-start restart boundary: the two figures the kernel may give (totalMs is one). */
  span?: { lowMs: number; highMs: number };
  /** Per leg and hop, what was paid: the parameters shown beside the figures. */
  hops: Array<{
    leg: 'request' | 'intermediate' | 'response';
    from: string;
    to: string;
    bytes: number;
    mbps: number;
    rttMs: number;
    /** The link's RTT spread when given; not added to the figure (the cost uses the mean RTT). */
    jitterMs?: number;
    transport: Transport;
    handshakeMs: number;
    slowStartMs: number;
    slowStartRounds: number;
    wireMs: number;
    propagationMs: number;
    totalMs: number;
    /** At a slow-start restart boundary: the two start windows and the leg's figure from each. */
    restartBoundary?: RestartBoundary;
  }>;
}

/**
 * Network time of one request in a scenario: request in, intermediate tensor (partitions), response back, hop by
 * hop (store-and-forward, as the study's relays did). Every path starts and ends at the origin, so each hop is
 * crossed out and back: one exchange per hop, which pays its handshake on its first crossing and its RTT once.
 */
export function scenarioNetworkMs(
  scenario: Scenario,
  payload: { requestBytes: number; responseBytes: number },
  links: Link[] = defaultLinks(),
  origin = 'mobile',
): NetworkCost {
  const opened = new Set<Link>();
  const hops: NetworkCost['hops'] = [];
  const path = (leg: 'request' | 'intermediate' | 'response', a: string, b: string, bytes: number): number => {
    let at = a;
    let sum = 0;
    for (const link of route(a, b, links)) {
      const next = link.from === at ? link.to : link.from;
      const directed = directedLink(link, at);
      const cost = legMs(bytes, directed, !opened.has(link));
      opened.add(link);
      hops.push({
        leg,
        from: at,
        to: next,
        bytes,
        mbps: effectiveMbps(directed),
        rttMs: link.rttMs,
        ...(link.jitterMs !== undefined ? { jitterMs: link.jitterMs } : {}),
        transport: resolveTransport(link.transport),
        handshakeMs: cost.handshakeMs + cost.endpointMs,
        slowStartMs: cost.leg.slowStartMs,
        slowStartRounds: cost.leg.rounds,
        wireMs: cost.leg.wireMs,
        propagationMs: cost.leg.propagationMs,
        totalMs: cost.totalMs,
        ...(cost.boundary ? { restartBoundary: cost.boundary } : {}),
      });
      sum += cost.totalMs;
      at = next;
    }
    return sum;
  };
  let requestMs = 0;
  let intermediateMs = 0;
  let responseMs = 0;
  if (scenario.kind === 'offload' || scenario.kind === 'cloud') {
    const server = scenario.kind === 'offload' ? 'edge' : 'cloud';
    requestMs = path('request', origin, server, payload.requestBytes);
    responseMs = path('response', server, origin, payload.responseBytes);
  } else if (scenario.kind === 'partition') {
    requestMs = path('request', origin, scenario.head, payload.requestBytes);
    intermediateMs = path('intermediate', scenario.head, scenario.tail, scenario.cutBytes);
    responseMs = path('response', scenario.tail, origin, payload.responseBytes);
  }
  const totalMs = requestMs + intermediateMs + responseMs;
  const bounded = hops.filter((h) => h.restartBoundary);
  const shift = (pick: (b: RestartBoundary) => number) => bounded.reduce((s, h) => s + pick(h.restartBoundary!) - h.totalMs, 0);
  const span = bounded.length > 0 ? { lowMs: totalMs + shift((b) => b.lowMs), highMs: totalMs + shift((b) => b.highMs) } : undefined;
  return { requestMs, intermediateMs, responseMs, totalMs, ...(span ? { span } : {}), hops };
}

/** One line naming every parameter of a link's transport, for reports and tables. */
export function describeTransport(t: Transport): string {
  const restart =
    t.connection === 'kept-alive'
      ? `, idle ${t.idleGapMs} ms, ${t.slowStartRestart ? 'slow-start restart (cubic/reno)' : 'no idle restart (bbr)'}`
      : '';
  return `${t.connection}${restart}, TLS ${t.tls}, MTU ${t.mtu} (MSS ${mssOf(t.mtu)}), IW ${t.initialWindow}, loss ${t.lossRate}${t.lossRate > 0 ? ' (Mathis bound)' : ''}${t.headerBytes > 0 ? `, ${t.headerBytes} B headers/segment counted` : ', bandwidth = goodput'}${t.endpointMs > 0 ? `, endpoint ${t.endpointMs.toFixed(2)} ms` : ''}`;
}

/**
 * How a client puts its input on the wire, which decides the request bytes the model moves:
 *  - `raw-tensor`: the input tensors' bytes (application/octet-stream);
 *  - `encoded`: the dataset's own sample as is — the image file (PNG/JPEG/WebP), the WAV file, the UTF-8 text —
 *    decoded and preprocessed on the server;
 *  - `json-base64`: as in the paper — the encoded sample (or, without one, the tensor) base64'd into a JSON body:
 *    4 × ceil(n / 3) bytes plus the JSON around it.
 * Each adds HTTP/1.1 request framing (request line and headers), assumed HTTP_REQUEST_FRAMING_BYTES.
 */
export const REQUEST_ENCODINGS = ['raw-tensor', 'encoded', 'json-base64'] as const;
export type RequestEncoding = (typeof REQUEST_ENCODINGS)[number];

/** Request line + Host, Content-Type, Content-Length, Authorization, User-Agent headers of a typical app request. */
export const HTTP_REQUEST_FRAMING_BYTES = 250;
/** `{"input":"…"}` around a base64 string. */
const JSON_WRAPPER_BYTES = 12;

export function requestPayloadBytes(
  encoding: RequestEncoding,
  sizes: { tensorBytes: number; encodedBytes?: number },
  framingBytes = HTTP_REQUEST_FRAMING_BYTES,
): number {
  if (!(sizes.tensorBytes >= 0)) throw new RangeError(`tensorBytes must be >= 0, got ${sizes.tensorBytes}`);
  if (encoding === 'raw-tensor') return sizes.tensorBytes + framingBytes;
  if (encoding === 'encoded') {
    if (sizes.encodedBytes === undefined)
      throw new RangeError('encoding encoded needs the encoded sample size (the dataset holds tensors, not encoded files)');
    return sizes.encodedBytes + framingBytes;
  }
  if (encoding === 'json-base64') return 4 * Math.ceil((sizes.encodedBytes ?? sizes.tensorBytes) / 3) + JSON_WRAPPER_BYTES + framingBytes;
  throw new RangeError(`encoding must be ${REQUEST_ENCODINGS.join(', ')}, got ${String(encoding)}`);
}

/**
 * What turning the client's input into the model's input tensors costs, on the tier where the model's first piece
 * runs (measured by benchmark/request-decode.ts on the study's own samples). A tier the request reaches over a link
 * reads the request as sent (`requestMs`: an encoded image decoded and preprocessed, JSON/base64 unwrapped first,
 * raw tensors copied out); the origin, running the model itself, reads the sample as the client holds it
 * (`sampleMs`: the encoded file decoded and preprocessed, no JSON around it; nothing for raw tensors, which are the
 * input). `measured`: host medians × each tier's one-thread slowdown (decoding is single-threaded);
 * `not-measured`: the reason, shown beside the figures, and nothing added (never a guessed constant).
 */
export type RequestDecodeCost =
  | {
      status: 'measured';
      encoding: RequestEncoding;
      /** Median wall time on one host core of reading one request body as sent, over `samples` decodes after a warm-up. */
      requestHostP50Ms: number;
      /** The same for the sample as the client holds it (0 for raw tensors: nothing to read). */
      sampleHostP50Ms: number;
      samples: number;
      /** Per tier: requestHostP50Ms × scale[tier] (a tier the request reaches over a link). */
      requestMs: Record<string, number>;
      /** Per tier: sampleHostP50Ms × scale[tier] (the origin running the model's first piece itself). */
      sampleMs: Record<string, number>;
      /** Per tier: 1 / (min(cpus, 1) × coreSpeed), the slowdown of one-threaded work there. */
      scale: Record<string, number>;
      /** How it was measured, in a sentence for the report. */
      method: string;
    }
  | { status: 'not-measured'; encoding: RequestEncoding; reason: string };

/** What a study's requests carry: the encoding (given, or assumed from the dataset) and the bytes it makes. */
export interface RequestPayload {
  encoding: RequestEncoding;
  bytes: number;
  /** True when the study named no encoding and this one was taken from what the dataset holds. */
  assumed: boolean;
  /**
   * What turning the input into tensors costs where the model starts (benchmark/request-decode.ts), set when the
   * study is ranked: measured per tier, or not measured with the reason.
   */
  decode?: RequestDecodeCost;
}

/**
 * The request a study's client sends: its `requestEncoding`, or — when it names none — the dataset's encoded
 * samples as they are where it has them (images, audio, text), else the raw tensors; recorded as assumed.
 */
export function studyRequest(
  requested: RequestEncoding | undefined,
  sizes: { tensorBytes: number; encodedBytes?: number },
): RequestPayload {
  const encoding = requested ?? (sizes.encodedBytes !== undefined ? 'encoded' : 'raw-tensor');
  return { encoding, bytes: requestPayloadBytes(encoding, sizes), assumed: requested === undefined };
}
