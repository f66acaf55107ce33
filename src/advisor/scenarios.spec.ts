import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TierwiseError } from '../common/errors';
import { DEFAULT_NETWORK, hopsBetween, pairPartitionSamples, resolveNetwork, scenarioNetworkCost, scenarioTiers } from './scenarios';

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

describe('scenario tiers and hops', () => {
  test('on-device and partition scenarios', () => {
    assert.deepEqual(scenarioTiers('edge'), { head: 'edge', tail: 'edge', partition: false });
    assert.deepEqual(scenarioTiers('mobile|cloud'), { head: 'mobile', tail: 'cloud', partition: true });
    assert.throws(
      () => scenarioTiers('cloud|mobile' as never),
      (e: unknown) => e instanceof TierwiseError && e.code === 'SCENARIO_INVALID' && e.message.includes('cloud|mobile'),
    );
  });

  test('mobile↔cloud relays through the edge, in travel order', () => {
    assert.deepEqual(hopsBetween('mobile', 'cloud'), ['mobile-edge', 'edge-cloud']);
    assert.deepEqual(hopsBetween('cloud', 'mobile'), ['edge-cloud', 'mobile-edge']);
    assert.deepEqual(hopsBetween('edge', 'edge'), []);
  });

  test('network defaults are the study’s and bad values are named', () => {
    assert.deepEqual(resolveNetwork(), { mobileEdgeMbps: 200, edgeCloudMbps: 1, rttMs: 0 });
    assert.throws(() => resolveNetwork({ edgeCloudMbps: 0 }), /network\.edgeCloudMbps/);
    assert.throws(() => resolveNetwork({ rttMs: -1 }), /network\.rttMs/);
    assert.throws(() => resolveNetwork({ edgeCloudRttMs: -1 }), /network\.edgeCloudRttMs/);
  });
});

describe('computed network cost', () => {
  test('a 1 MB payload over 1 Mbps takes 8000 ms', () => {
    // 10^6 bytes × 8 bits = 8·10^6 bits; at 10^6 bit/s that is 8 s.
    const cost = scenarioNetworkCost('edge', { requestBytes: 1e6, responseBytes: 0 }, { mobileEdgeMbps: 1, edgeCloudMbps: 1, rttMs: 0 });
    close(cost.requestMs, 8000, 'request');
    close(cost.totalMs, 8000, 'total');
  });

  test('a link’s own RTT replaces the shared one on that link only', () => {
    const bytes = { requestBytes: 5e5, responseBytes: 1000 };
    const shared = (rttMs: number, scenario: 'edge' | 'cloud') =>
      scenarioNetworkCost(scenario, bytes, { mobileEdgeMbps: 50, edgeCloudMbps: 20, rttMs }).totalMs;
    const split = (scenario: 'edge' | 'cloud') =>
      scenarioNetworkCost(scenario, bytes, { mobileEdgeMbps: 50, edgeCloudMbps: 20, rttMs: 7, mobileEdgeRttMs: 10, edgeCloudRttMs: 40 })
        .totalMs;
    // edge crosses mobile–edge only; cloud crosses both, so it lies between the two shared-RTT figures.
    close(split('edge'), shared(10, 'edge'), 'edge at the mobile–edge RTT');
    assert.ok(split('cloud') > shared(10, 'cloud') && split('cloud') < shared(40, 'cloud'), `${split('cloud')}`);
    close(
      scenarioNetworkCost('edge', bytes, { mobileEdgeMbps: 50, edgeCloudMbps: 20, rttMs: 10, edgeCloudRttMs: 99 }).totalMs,
      shared(10, 'edge'),
      'edge ignores the edge–cloud RTT',
    );
  });

  test('on mobile nothing crosses a link', () => {
    assert.equal(scenarioNetworkCost('mobile', { requestBytes: 3e6, responseBytes: 4000 }, DEFAULT_NETWORK).totalMs, 0);
  });

  test('cloud: request and response both cross mobile–edge and edge–cloud', () => {
    // Request 1 MB: 40 ms at 200 Mbps + 8000 ms at 1 Mbps. Response 4 kB = 32 000 bits: 0.16 ms + 32 ms.
    const cost = scenarioNetworkCost('cloud', { requestBytes: 1e6, responseBytes: 4000 }, DEFAULT_NETWORK);
    close(cost.requestMs, 8040, 'request');
    close(cost.responseMs, 32.16, 'response');
    close(cost.totalMs, 8072.16, 'total');
  });

  test('edge|cloud partition ships the WRN layer3 tensor over the 1 Mbps link', () => {
    // 1×1024×14×14 fp32 = 802 816 bytes = 6 422 528 bits → 6422.528 ms at 1 Mbps; request 2 MB → 80 ms to the edge;
    // response 4 kB from cloud: 32 ms + 0.16 ms.
    const cost = scenarioNetworkCost('edge|cloud', { requestBytes: 2e6, responseBytes: 4000, cutBytes: 802_816 }, DEFAULT_NETWORK);
    close(cost.requestMs, 80, 'request');
    close(cost.cutMs, 6422.528, 'cut');
    close(cost.responseMs, 32.16, 'response');
  });

  test('round-trip time is paid once per hop and exchange, with slow start after the idle gap', () => {
    // mobile|cloud with rtt 5: request stays on mobile; the 100 kB cut (70 segments) crosses 2 hops, the 1 kB
    // response comes back over both: one exchange per hop, so each hop's 5 ms once (2.5 out, 2.5 back).
    // Default transport: kept-alive, 1 s idle → the cubic sender restarts from 10 segments. At 200 Mbps a
    // segment takes 0.05792 ms: windows 10 and 20 each wait for an ACK 5 + S after they start, the
    // last 40 segments fit the window of 40: idle (5 + S − 10S) + (5 + S − 20S) = 10 − 28S. At 10 Mbps 10 segments (11.6 ms) cover the RTT.
    const cost = scenarioNetworkCost(
      'mobile|cloud',
      { requestBytes: 5e5, responseBytes: 1000, cutBytes: 1e5 },
      { mobileEdgeMbps: 200, edgeCloudMbps: 10, rttMs: 5 },
    );
    close(cost.requestMs, 0, 'request');
    close(cost.cutMs, 2.5 + 4 + (10 - 28 * 0.05792) + 2.5 + 80, 'cut');
    close(cost.responseMs, 2.5 + 0.8 + 2.5 + 0.04, 'response');
    // A bbr sender (no idle restart) on the same links pays the formula: wire + half the RTT per hop and leg.
    const warm = scenarioNetworkCost(
      'mobile|cloud',
      { requestBytes: 5e5, responseBytes: 1000, cutBytes: 1e5 },
      { mobileEdgeMbps: 200, edgeCloudMbps: 10, rttMs: 5, transport: { slowStartRestart: false } },
    );
    close(warm.cutMs, 2.5 + 4 + 2.5 + 80, 'warm cut');
    assert.throws(() => resolveNetwork({ transport: { connection: 'sometimes' as never } }), /network\.transport\.connection/);
  });

  test('a partition without its cut size is refused', () => {
    assert.throws(() => scenarioNetworkCost('mobile|edge', { requestBytes: 1, responseBytes: 1 }, DEFAULT_NETWORK), /cut tensor/);
  });
});

describe('pairing a partition’s head and tail samples', () => {
  test('uses every tail sample once and every head sample equally often', () => {
    const head = [1, 2, 3];
    const tail = [10, 20, 30, 40];
    const sums = pairPartitionSamples(head, tail, 'v@mobile|edge#cut', 1);
    assert.equal(sums.length, 4);
    const total = sums.reduce((a, b) => a + b, 0);
    // Tails contribute 100 exactly; heads 1+2+3 once each plus one more draw from {1, 2, 3}.
    assert.ok([107, 108, 109].includes(total), `total ${total}`);
    assert.deepEqual(Array.from(pairPartitionSamples(head, tail, 'v@mobile|edge#cut', 1)), Array.from(sums), 'same seed, same pairing');
  });

  test('pairs at random: the sum’s variance is the sum of the variances, not the comonotone one', () => {
    // Sorted inputs paired by index would give var(h + t) = 4·var(h); independence gives 2·var(h).
    const ramp = Array.from({ length: 2000 }, (_, i) => i);
    const sums = pairPartitionSamples(ramp, ramp, 'ramp', 7);
    const mean = sums.reduce((a, b) => a + b, 0) / sums.length;
    const variance = sums.reduce((a, b) => a + (b - mean) ** 2, 0) / sums.length;
    const single = (2000 * 2000 - 1) / 12;
    assert.ok(Math.abs(variance / (2 * single) - 1) < 0.1, `variance ratio ${variance / (2 * single)}`);
    close(mean, 1999, 'mean of the sum');
  });
});
