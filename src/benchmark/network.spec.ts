import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLinks, hopMs, pathMs, route, scenarioNetworkMs } from './network';
import { measureThrottledTransfer } from './throttled-link';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

describe('network model', () => {
  test('one hop and a path against hand-computed values', () => {
    close(hopMs(125_000, { mbps: 1, rttMs: 0 }), 1000); // 1 Mbit over 1 Mbps = 1 s
    close(hopMs(25_000, { mbps: 200, rttMs: 5 }), 6); // 200 kbit / 200 Mbps = 1 ms, + 5
    close(pathMs(25_000, [{ mbps: 200, rttMs: 5 }, { mbps: 1, rttMs: 20 }]), 6 + 20 + 200);
    assert.throws(() => hopMs(1, { mbps: 0, rttMs: 0 }), RangeError);
  });

  test('routes cross edge on the way to the cloud', () => {
    assert.deepEqual(route('mobile', 'cloud', defaultLinks()).map((l) => l.to), ['edge', 'cloud']);
    assert.deepEqual(route('cloud', 'mobile', defaultLinks()).length, 2);
    assert.throws(() => route('mobile', 'moon', defaultLinks()), RangeError);
  });

  test('scenarios with the study links (200 Mbps mobile–edge, 1 Mbps edge–cloud)', () => {
    const payload = { requestBytes: 2500, responseBytes: 40 }; // 20 kbit, 320 bit
    assert.equal(scenarioNetworkMs({ kind: 'on-device' }, payload).totalMs, 0);
    const offload = scenarioNetworkMs({ kind: 'offload' }, payload);
    close(offload.requestMs, 0.1); // 20 000 / 200e6 s
    close(offload.totalMs, 0.1 + 0.0016);
    const cloud = scenarioNetworkMs({ kind: 'cloud' }, payload);
    close(cloud.requestMs, 0.1 + 20); // + 20 000 / 1e6 s
    close(cloud.responseMs, 0.32 + 0.0016);
    const split = scenarioNetworkMs({ kind: 'partition', head: 'mobile', tail: 'edge', cutBytes: 131_072 }, payload);
    assert.equal(split.requestMs, 0);
    close(split.intermediateMs, (131_072 * 8) / 200e6 * 1e3);
    close(split.totalMs, split.intermediateMs + 0.0016);
  });

  test('a real payload through the throttled loopback link takes about what the model says', async () => {
    const link = { mbps: 10, rttMs: 10 };
    const bytes = 50_000; // 40 ms on the wire + 10 ms RTT
    const measured = await measureThrottledTransfer(new Uint8Array(bytes).fill(7), link);
    const model = hopMs(bytes, link);
    assert.ok(measured > model * 0.9 && measured < model * 1.6, `measured ${measured} ms vs model ${model} ms`);
  });
});
