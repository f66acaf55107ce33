import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TierwiseError } from '../common/errors';
import { legMs, scenarioNetworkMs, type Link } from './network';
import {
  checkLinks,
  checkPath,
  cutsAlong,
  describeScenarioId,
  NETWORK_PRESETS,
  parsePath,
  parseScenario,
  pathsFrom,
  scenariosAlong,
} from './topology';
import { studyNetwork, topologyDefaults } from '../studies/study-topology';

const chain: Link[] = [
  { from: 'rpi5', to: 'orin', mbps: 50, reverseMbps: 100, rttMs: 4 },
  { from: 'orin', to: 'cloud-gpu', mbps: 5, rttMs: 40 },
];
const star: Link[] = [
  { from: 'pixel-8', to: 'orin', mbps: 200, rttMs: 2 },
  { from: 'orin', to: 'cloud', mbps: 10, rttMs: 30 },
  { from: 'pixel-8', to: 'c7g', mbps: 20, rttMs: 25 },
];
const code = (c: string, message?: RegExp) => (error: unknown) =>
  error instanceof TierwiseError && error.code === c && (!message || message.test(error.message));

describe('paths and cuts', () => {
  test('a chain has one path; a star one per arm, from the origin outwards', () => {
    assert.deepEqual(pathsFrom('rpi5', chain), [['rpi5', 'orin', 'cloud-gpu']]);
    assert.deepEqual(pathsFrom('pixel-8', star), [
      ['pixel-8', 'orin', 'cloud'],
      ['pixel-8', 'c7g'],
    ]);
    assert.deepEqual(pathsFrom('orin', chain), [
      ['orin', 'rpi5'],
      ['orin', 'cloud-gpu'],
    ]);
  });

  test('cuts are neighbouring pairs by default, every head-before-tail pair with all', () => {
    assert.deepEqual(cutsAlong(['a', 'b', 'c']), [
      ['a', 'b'],
      ['b', 'c'],
    ]);
    assert.deepEqual(cutsAlong(['a', 'b', 'c'], true), [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
    assert.deepEqual(cutsAlong(['a']), []);
  });

  test("scenarios along the paper's path are the paper's defaults; a star's are de-duplicated", () => {
    assert.deepEqual(scenariosAlong([NETWORK_PRESETS.paper.path]), ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud']);
    assert.deepEqual(scenariosAlong(pathsFrom('pixel-8', star)), [
      'pixel-8',
      'orin',
      'cloud',
      'c7g',
      'pixel-8|orin',
      'orin|cloud',
      'pixel-8|c7g',
    ]);
  });

  test('paths parse with arrows, > or commas and must follow links', () => {
    assert.deepEqual(parsePath('rpi5 → orin → cloud-gpu'), ['rpi5', 'orin', 'cloud-gpu']);
    assert.deepEqual(parsePath('rpi5->orin > cloud-gpu'), ['rpi5', 'orin', 'cloud-gpu']);
    assert.deepEqual(parsePath('rpi5, orin'), ['rpi5', 'orin']);
    checkPath(['rpi5', 'orin', 'cloud-gpu'], chain);
    assert.throws(() => checkPath(['rpi5', 'cloud-gpu'], chain), code('NETWORK_INVALID', /no link joins rpi5 and cloud-gpu/));
    assert.throws(() => checkPath(['rpi5', 'orin', 'rpi5'], chain), code('NETWORK_INVALID', /visits a tier twice/));
  });

  test('a partition is a cut along a path from the origin: head before tail', () => {
    assert.deepEqual(parseScenario('rpi5|orin', chain, 'rpi5'), { head: 'rpi5', tail: 'orin', partition: true });
    assert.deepEqual(parseScenario('rpi5|cloud-gpu', chain, 'rpi5'), { head: 'rpi5', tail: 'cloud-gpu', partition: true });
    assert.deepEqual(parseScenario('orin', chain, 'rpi5'), { head: 'orin', tail: 'orin', partition: false });
    assert.throws(() => parseScenario('cloud-gpu|orin', chain, 'rpi5'), code('SCENARIO_INVALID', /not on the way from rpi5 to orin/));
    assert.throws(() => parseScenario('orin|c7g', star, 'pixel-8'), code('SCENARIO_INVALID', /not on the way/));
    assert.throws(() => parseScenario('moon', chain, 'rpi5'), code('SCENARIO_INVALID', /moon has no link/));
    assert.throws(() => parseScenario('orin|orin'), code('SCENARIO_INVALID', /two different tiers/));
    assert.throws(() => parseScenario('Orin'), code('SCENARIO_INVALID'));
    assert.throws(() => parseScenario('a|b|c'), code('SCENARIO_INVALID'));
  });

  test('place phrases name the tiers', () => {
    assert.equal(describeScenarioId('mobile|edge'), 'split between mobile and the edge');
    assert.equal(describeScenarioId('cloud'), 'in the cloud');
    assert.equal(describeScenarioId('rpi5|orin'), 'split between rpi5 and orin');
    assert.equal(describeScenarioId('cloud-gpu'), 'on cloud-gpu');
  });
});

describe('links', () => {
  test('validation names the link at fault', () => {
    const bad = (links: unknown, re: RegExp, known?: string[]) =>
      assert.throws(() => checkLinks(links as Link[], known), code('NETWORK_INVALID', re));
    bad([], /at least one link/);
    bad([{ from: 'a', to: 'a', mbps: 1, rttMs: 0 }], /two different tiers/);
    bad([{ from: 'A', to: 'b', mbps: 1, rttMs: 0 }], /links\[0\]\.from: a tier name/);
    bad([{ from: 'a', to: 'b', mbps: 0, rttMs: 0 }], /links\[0\]\.mbps must be a positive/);
    bad([{ from: 'a', to: 'b', mbps: 1, reverseMbps: -1, rttMs: 0 }], /reverseMbps/);
    bad([{ from: 'a', to: 'b', mbps: 1, rttMs: -1 }], /rttMs must be >= 0/);
    bad([{ from: 'a', to: 'b', mbps: 1, rttMs: 1, jitterMs: -2 }], /jitterMs/);
    bad([{ from: 'a', to: 'b', mbps: 1, rttMs: 1, transport: { tls: '0.9' } }], /links\[0\]\.transport\.tls/);
    bad(
      [
        { from: 'a', to: 'b', mbps: 1, rttMs: 0 },
        { from: 'b', to: 'a', mbps: 1, rttMs: 0 },
      ],
      /links\[1\]: b–a is given twice/,
    );
    bad([{ from: 'a', to: 'moon', mbps: 1, rttMs: 0 }], /links\[0\]\.to: tier "moon" is not configured/, ['a', 'b']);
  });

  test('each direction pays its own bandwidth, each link its own RTT', () => {
    const payload = { requestBytes: 40_000, responseBytes: 2_000 };
    const cost = scenarioNetworkMs({ kind: 'partition', head: 'cloud-gpu', tail: 'cloud-gpu', cutBytes: 0 }, payload, chain, 'rpi5');
    assert.deepEqual(
      cost.hops.map((h) => [h.leg, h.from, h.to, h.mbps, h.rttMs]),
      [
        ['request', 'rpi5', 'orin', 50, 4],
        ['request', 'orin', 'cloud-gpu', 5, 40],
        ['response', 'cloud-gpu', 'orin', 5, 40],
        ['response', 'orin', 'rpi5', 100, 4],
      ],
    );
    const expected =
      legMs(40_000, chain[0], true).totalMs +
      legMs(40_000, chain[1], true).totalMs +
      legMs(2_000, chain[1], false).totalMs +
      legMs(2_000, { ...chain[0], mbps: 100 }, false).totalMs;
    assert.ok(Math.abs(cost.totalMs - expected) < 1e-12);
  });
});

describe("a study's network", () => {
  test('the old fields stay the paper network, unchanged', () => {
    assert.deepEqual(studyNetwork({ mobileEdgeMbps: 50 }), { mobileEdgeMbps: 50, edgeCloudMbps: 1, rttMs: 0 });
    assert.deepEqual(topologyDefaults(studyNetwork({})).scenarios, ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud']);
  });

  test('the paper preset maps the old fields onto its links', () => {
    const n = studyNetwork({ preset: 'paper', edgeCloudMbps: 10, rttMs: 5 });
    assert.deepEqual(
      n.links!.map((l) => [l.from, l.to, l.mbps, l.rttMs]),
      [
        ['mobile', 'edge', 200, 5],
        ['edge', 'cloud', 10, 5],
      ],
    );
    assert.equal(n.origin, 'mobile');
    assert.deepEqual(topologyDefaults(n), {
      tiers: ['mobile', 'edge', 'cloud'],
      scenarios: ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud'],
    });
  });

  test('own links: origin, paths and defaults; conflicts are refused', () => {
    const n = studyNetwork({ links: star }, ['pixel-8', 'orin', 'cloud', 'c7g']);
    assert.equal(n.origin, 'pixel-8');
    assert.deepEqual(n.paths, pathsFrom('pixel-8', star));
    assert.deepEqual(topologyDefaults(studyNetwork({ links: star, paths: ['pixel-8 → c7g'] })), {
      tiers: ['pixel-8', 'c7g'],
      scenarios: ['pixel-8', 'c7g', 'pixel-8|c7g'],
    });
    assert.throws(() => studyNetwork({ links: chain, rttMs: 3 }), code('NETWORK_INVALID', /replaces rttMs/));
    assert.throws(() => studyNetwork({ links: chain, preset: 'paper' }), code('NETWORK_INVALID', /not both/));
    assert.throws(() => studyNetwork({ preset: 'lan' }), code('NETWORK_INVALID', /preset lan is unknown/));
    assert.throws(() => studyNetwork({ links: chain, origin: 'moon' }), code('NETWORK_INVALID', /origin moon has no link/));
    assert.throws(() => studyNetwork({ links: chain, paths: ['orin → cloud-gpu'] }), code('NETWORK_INVALID', /starts at orin/));
    assert.throws(() => studyNetwork({ origin: 'rpi5' }), code('NETWORK_INVALID', /need network.links/));
    assert.throws(
      () =>
        studyNetwork({
          links: [
            { from: 'a', to: 'b', mbps: 1, rttMs: 0 },
            { from: 'c', to: 'd', mbps: 1, rttMs: 0 },
          ],
        }),
      code('NETWORK_INVALID', /no route from a to c/),
    );
  });
});

describe('the advisor on a custom topology', () => {
  const samples = (ms: number) => Array.from({ length: 30 }, (_, i) => ms + (i % 5) * 0.01);
  const input = (links: Link[]) => ({
    baselineVariantId: 'fp32',
    variants: [{ id: 'fp32', operators: ['identity'], label: 'fp32 model', sizeBytes: 1000 }],
    measurements: [
      { variantId: 'fp32', tier: 'rpi5', part: 'whole' as const, samplesMs: samples(40), peakMemoryBytes: 1 },
      { variantId: 'fp32', tier: 'orin', part: 'whole' as const, samplesMs: samples(8), peakMemoryBytes: 1 },
      { variantId: 'fp32', tier: 'cloud-gpu', part: 'whole' as const, samplesMs: samples(1), peakMemoryBytes: 1 },
    ],
    payloads: { requestBytes: 100_000, responseBytes: 100, cutBytes: {} },
    network: { ...studyNetwork({ links }) },
    scenarios: ['rpi5', 'orin', 'cloud-gpu'],
  });

  test('ranks on the links, explains with the tier names, and sweeps each link by name', async () => {
    const { rankCandidates, findCrossovers } = await import('../advisor');
    const ranking = rankCandidates(input(chain));
    const order = ranking.candidates.map((c) => c.scenario);
    // orin: 8 ms + ~16 ms over 50 Mbps; cloud-gpu: 1 ms + 160 ms over 5 Mbps + RTTs; rpi5: 40 ms, no network.
    assert.deepEqual(order, ['orin', 'rpi5', 'cloud-gpu']);
    const p50 = ranking.candidates.map((c) => c.latency.p50Ms);
    assert.ok(p50[0] < p50[1] && p50[1] < p50[2], String(p50));
    assert.match(ranking.candidates[0].explanation, /^Run the fp32 model on orin: .* faster than the fp32 model on rpi5/);
    const crossovers = findCrossovers(input(chain));
    assert.ok(crossovers.length > 0);
    for (const c of crossovers) assert.ok(['rpi5-orin', 'orin-cloud-gpu'].includes(c.link), c.link);
    assert.ok(crossovers.some((c) => /rpi5→orin/.test(c.sentence)));
    assert.throws(() => findCrossovers(input(chain), { links: ['mobile-edge'] }), code('CROSSOVER_INVALID', /not in the network/));
  });

  test('a measurement on a tier the links do not know is refused', async () => {
    const { rankCandidates } = await import('../advisor');
    const bad = input(chain);
    bad.measurements.push({ variantId: 'fp32', tier: 'edge', part: 'whole', samplesMs: samples(1), peakMemoryBytes: 1 });
    assert.throws(() => rankCandidates(bad), code('ADVISOR_INPUT_INVALID', /unknown tier; expected rpi5, orin, cloud-gpu/));
  });
});

describe('the CLI --link flag', () => {
  test('from=to:mbps[/back]@rtt[~jitter]', async () => {
    const { parseLink } = await import('../cli/commands/study');
    assert.deepEqual(parseLink('rpi5=orin:50/100@4~1'), [{ from: 'rpi5', to: 'orin', mbps: 50, reverseMbps: 100, rttMs: 4, jitterMs: 1 }]);
    assert.deepEqual(parseLink('orin=cloud-gpu:5@40', parseLink('rpi5=orin:50@4')).length, 2);
    assert.throws(() => parseLink('rpi5-orin:50'), /expected from=to:mbps/);
  });
});
