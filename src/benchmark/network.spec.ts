import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultLinks,
  effectiveMbps,
  requestPayloadBytes,
  studyRequest,
  exchangeMs,
  handshakeMs,
  mssOf,
  oneWay,
  resolveTransport,
  route,
  scenarioNetworkMs,
  startWindow,
  startWindows,
  legMs,
  tierLinks,
} from './network';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-9, `${what} ${a} ≠ ${b}`);

// 50 Mbps: one 1448-byte segment takes 1448 × 8 / 50 000 bit/ms = 0.23168 ms.
const S50 = 0.23168;
const plain = { tls: 'none', headerBytes: 0 } as const;

describe('transfer model: zero RTT keeps the paper figures', () => {
  test('bytes × 8 / bandwidth, whatever the connection mode', () => {
    for (const connection of ['kept-alive', 'per-request'] as const) {
      close(exchangeMs(125_000, 0, { mbps: 1, rttMs: 0, transport: { connection } }), 1000, connection); // 1 Mbit at 1 Mbps
      close(exchangeMs(25_000, 2500, { mbps: 200, rttMs: 0, transport: { connection, tls: '1.2' } }), 1.1); // 200 + 20 kbit at 200 Mbps
    }
    assert.throws(() => exchangeMs(1, 1, { mbps: 0, rttMs: 0 }), RangeError);
    assert.throws(() => exchangeMs(1, 1, { mbps: 1, rttMs: 0, transport: { tls: '1.1' as never } }), /tls/);
  });

  test('the paper scenarios at zero RTT (200 Mbps mobile–edge, 1 Mbps edge–cloud)', () => {
    const payload = { requestBytes: 2500, responseBytes: 40 }; // 20 kbit, 320 bit
    assert.equal(scenarioNetworkMs({ kind: 'on-device' }, payload).totalMs, 0);
    const offload = scenarioNetworkMs({ kind: 'offload' }, payload);
    close(offload.requestMs, 0.1);
    close(offload.totalMs, 0.1 + 0.0016);
    const cloud = scenarioNetworkMs({ kind: 'cloud' }, payload);
    close(cloud.requestMs, 0.1 + 20);
    close(cloud.responseMs, 0.32 + 0.0016);
    assert.deepEqual(
      cloud.hops.map((h) => `${h.leg} ${h.from}→${h.to}`),
      ['request mobile→edge', 'request edge→cloud', 'response cloud→edge', 'response edge→mobile'],
    );
  });
});

describe('transfer model: what TCP does on a link with a round trip', () => {
  test('MSS from the MTU, handshakes per TLS version', () => {
    assert.equal(mssOf(1500), 1448);
    const link = (tls: 'none' | '1.2' | '1.3', connection: 'per-request' | 'kept-alive' = 'per-request') => ({
      mbps: 50,
      rttMs: 20,
      transport: { tls, connection },
    });
    assert.equal(handshakeMs(link('none')), 20); // SYN, SYN-ACK; the data rides with the ACK
    assert.equal(handshakeMs(link('1.3')), 40); // + ClientHello … Finished
    assert.equal(handshakeMs(link('1.2')), 60); // + two TLS round trips
    assert.equal(handshakeMs(link('1.2', 'kept-alive')), 0); // an open connection has paid it already
  });

  test('slow start from the initial window: 150 kB over 50 Mbps / 20 ms takes three idle rounds', () => {
    // 150 000 B = 104 segments. Window 10 leaves in 2.3168 ms, the first ACK is back at 20 + S: the link idles
    // 20 + S − 10 S; then windows 20 and 40 idle 20 + S − 20 S and 20 + S − 40 S; 34 segments are left for a window of 80.
    const leg = oneWay(150_000, { mbps: 50, rttMs: 20, transport: plain }, 10);
    assert.equal(leg.rounds, 3);
    close(leg.slowStartMs, 3 * (20 + S50) - 70 * S50, 'slow start');
    close(leg.wireMs, 24, 'wire'); // 1.2 Mbit at 50 Mbps
    close(leg.propagationMs, 10);
    // A new connection: handshake (1 RTT) + that leg + the one-byte answer's trip back (RTT / 2).
    const perRequest = exchangeMs(150_000, 0, { mbps: 50, rttMs: 20, transport: { ...plain, connection: 'per-request' } });
    close(perRequest, 20 + (3 * (20 + S50) - 70 * S50) + 24 + 10 + 10, 'per-request');
    // A window that covers the path (bbr on a kept-alive connection) pays the formula alone: one RTT + wire.
    close(exchangeMs(150_000, 0, { mbps: 50, rttMs: 20, transport: { ...plain, slowStartRestart: false } }), 44, 'warm');
  });

  test('a fast link with a short RTT is covered by the initial window: no idle round', () => {
    // 100 Mbps: 10 segments take 1.1584 ms ≥ RTT 1 ms + one segment (0.11584): the ACKs keep the link busy.
    assert.equal(oneWay(1_000_000, { mbps: 100, rttMs: 1 }, 10).rounds, 0);
  });

  test('idle restart: a cubic/reno sender halves its window per RTO idle, down to the initial window', () => {
    const link = (idleGapMs: number, slowStartRestart = true) => ({ mbps: 50, rttMs: 20, transport: { idleGapMs, slowStartRestart } });
    // 150 kB (104 segments) ends in a burst of 34 behind windows of 10, 20, 40: srtt ≈ 20 + 4.6 ms, RTO ≈ 225 ms,
    // and the idle runs 1000 + 20 ms from the last segment: 4 halvings. (10 + 104) / 16 = 7 → the initial window.
    assert.equal(startWindow(150_000, link(1000)), 10);
    // 802 816 B (555 segments) outgrows the path (87 segments): at the last send (555 + w) / 2 are in flight, the
    // standing queue (~50 ms) raises srtt to ~72 ms and the RTO to ~272, so 1000 + 20 + 50 ms idle is 3 halvings:
    // w = floor((w + 555) / 8) from the initial window: 70 → 78 → 79. The kernel here: 634 = 79 + 555 before each
    // restart, RTO 268–276 ms (`ss -ti` in the client namespace); a fixed 220 ms RTO made it 4 halvings (36).
    assert.equal(startWindow(802_816, link(1000)), 79);
    assert.equal(startWindow(802_816, link(200)), Infinity); // idle shorter than the RTO: the window stays open
    assert.equal(startWindow(802_816, link(5000, false)), Infinity); // bbr: no restart
    assert.equal(startWindow(3000, { mbps: 50, rttMs: 20, transport: { connection: 'per-request' } }), 10);
  });

  test('idle restart follows the connection from its first request, and shows a boundary the RTO rounding can tip', () => {
    // As netcheck's lab: IP-rate shaping (52 B headers per 1500 B packet), 1 s apart.
    const lab = (mbps: number, rttMs: number) => ({ mbps, rttMs, transport: { tls: 'none' as const, headerBytes: 52 } });
    // 2 MB at 50 Mbps / 60 ms: 197 and 460 segments each reproduce themselves (460 leaves a longer standing queue,
    // so a longer RTO and one halving fewer); from a new connection's initial window the kernel settles at 197
    // (1579 = 197 + 1382 before each restart, RTO 388 ms, read with `ss -ti`), and so does the model.
    assert.deepEqual(startWindows(2_000_000, lab(50, 60)), [197]);
    // 600 kB at 200 Mbps / 60 ms ends in a burst below the path: srtt ≈ 67 ms, RTO ≈ 267, and the idle is
    // 1000 + 60 ms: 3 halvings (59), with 4·RTO within the timer's rounding of the idle, so 4 (29) is shown too.
    const windows = startWindows(600_000, lab(200, 60));
    assert.equal(windows[0], 59);
    assert.equal(windows.length, 2);
    assert.ok(windows[1]! < 59);
    const hop = legMs(600_000, lab(200, 60), true);
    assert.ok(hop.boundary, 'a boundary');
    assert.equal(hop.totalMs, hop.boundary.lowMs); // the likelier window is the faster one here
    assert.ok(hop.boundary.highMs > hop.boundary.lowMs + 10, `${hop.boundary.highMs} vs ${hop.boundary.lowMs}`);
    // Far from any boundary there is one window and no span.
    assert.equal(legMs(150_000, lab(50, 20), true).boundary, undefined);
  });

  test('a request–response exchange pays the round trip once per hop', () => {
    // 3 kB up, 100 B down on 20 Mbps / 60 ms, kept-alive: 3 segments fit the initial window, so RTT + wire.
    close(exchangeMs(3000, 100, { mbps: 20, rttMs: 60 }), 60 + 1.2 + 0.04);
    // mobile → edge → cloud and back: each hop's RTT once (5 + 5), not once per direction (20).
    const cost = scenarioNetworkMs(
      { kind: 'cloud' },
      { requestBytes: 1000, responseBytes: 1000 },
      tierLinks({ mobileEdgeMbps: 200, edgeCloudMbps: 10, rttMs: 5 }),
    );
    close(cost.totalMs, 10 + 2 * (0.04 + 0.8));
    close(cost.requestMs, 5 + 0.04 + 0.8);
    // Per request, each hop's connection is opened once (TCP + TLS 1.3 = 2 RTT each).
    const fresh = scenarioNetworkMs(
      { kind: 'cloud' },
      { requestBytes: 1000, responseBytes: 1000 },
      tierLinks({ mobileEdgeMbps: 200, edgeCloudMbps: 10, rttMs: 5, transport: { connection: 'per-request' } }),
    );
    close(fresh.totalMs - cost.totalMs, 2 * 10);
  });

  test('loss caps the rate by the Mathis bound: MSS / RTT × sqrt(3 / 2p)', () => {
    // 1448 × 8 bit / 0.1 s × sqrt(150) = 115 840 × 12.2474… bit/s ≈ 1.4187 Mbps, below the 10 Mbps link.
    close(effectiveMbps({ mbps: 10, rttMs: 100, transport: { lossRate: 0.01 } }), (115_840 * Math.sqrt(150)) / 1e6);
    assert.equal(effectiveMbps({ mbps: 1, rttMs: 100, transport: { lossRate: 0.01 } }), 1);
    assert.equal(effectiveMbps({ mbps: 10, rttMs: 0, transport: { lossRate: 0.01 } }), 10);
    assert.throws(() => resolveTransport({ lossRate: 1 }), /lossRate/);
  });

  test('routes cross edge on the way to the cloud', () => {
    assert.deepEqual(
      route('mobile', 'cloud', defaultLinks()).map((l) => l.to),
      ['edge', 'cloud'],
    );
    assert.deepEqual(route('cloud', 'mobile', defaultLinks()).length, 2);
    assert.throws(() => route('mobile', 'moon', defaultLinks()), RangeError);
  });

  test('request bytes follow the encoding: raw tensor, encoded image, JSON/base64 (4/3 + framing)', () => {
    const image = { tensorBytes: 3 * 224 * 224 * 4, encodedBytes: 30_001 }; // fp32 NCHW tensor, a 30 kB JPEG
    assert.equal(requestPayloadBytes('raw-tensor', image), 602_112 + 250);
    assert.equal(requestPayloadBytes('encoded', image), 30_001 + 250);
    assert.equal(requestPayloadBytes('json-base64', image), 4 * 10_001 + 12 + 250); // ceil(30 001 / 3) groups of 4
    assert.equal(requestPayloadBytes('json-base64', { tensorBytes: 3000 }), 4000 + 12 + 250);
    assert.throws(() => requestPayloadBytes('encoded', { tensorBytes: 3000 }), /encoded sample size/);
  });

  test("a study that names no encoding sends the dataset's encoded samples where it has them, else the tensors, and says so", () => {
    assert.deepEqual(studyRequest(undefined, { tensorBytes: 3136, encodedBytes: 700 }), { encoding: 'encoded', bytes: 950, assumed: true });
    assert.deepEqual(studyRequest(undefined, { tensorBytes: 3136 }), { encoding: 'raw-tensor', bytes: 3386, assumed: true });
    assert.deepEqual(studyRequest('json-base64', { tensorBytes: 3136, encodedBytes: 700 }), {
      encoding: 'json-base64',
      bytes: 4 * 234 + 12 + 250,
      assumed: false,
    });
  });
});
