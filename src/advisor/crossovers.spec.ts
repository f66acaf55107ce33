import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCrossovers } from './crossovers';
import { rankCandidates } from './rank';
import { wrnStudy } from './testing/synthetic-study';
import type { StudyInput } from './types';

/** Constant samples make every p50 exact, so crossovers can be solved by hand. */
function flat(ms: number): number[] {
  return Array.from({ length: 9 }, () => ms);
}

function threeTierStudy(): StudyInput {
  return {
    baselineVariantId: 'm',
    variants: [{ id: 'm', operators: [], label: 'fp32 model', sizeBytes: 1e6, accuracy: { value: 80, low: 79, high: 81 } }],
    measurements: [
      { variantId: 'm', tier: 'mobile', part: 'whole', samplesMs: flat(300), peakMemoryBytes: 1 },
      { variantId: 'm', tier: 'edge', part: 'whole', samplesMs: flat(100), peakMemoryBytes: 1 },
      { variantId: 'm', tier: 'cloud', part: 'whole', samplesMs: flat(20), peakMemoryBytes: 1 },
    ],
    payloads: { requestBytes: 1e6, responseBytes: 0, cutBytes: {} },
    scenarios: ['mobile', 'edge', 'cloud'],
  };
}

function within(actual: number, expected: number, relative: number): void {
  assert.ok(Math.abs(actual / expected - 1) <= relative, `expected ${expected} within ${relative * 100}%, got ${actual}`);
}

describe('bandwidth crossovers', () => {
  test('found where the hand-solved latencies meet', () => {
    // A 1 MB request costs 8000/b ms on a b-Mbps link.
    // mobile–edge sweep (edge–cloud 1 Mbps): mobile 300 vs edge 100 + 8000/a → a* = 40 Mbps; cloud (≥ 8020 ms) never leads.
    // edge–cloud sweep (mobile–edge 200 Mbps, 40 ms): edge 140 vs cloud 20 + 40 + 8000/b → b* = 100 Mbps.
    const crossovers = findCrossovers(threeTierStudy());
    assert.equal(crossovers.length, 2, JSON.stringify(crossovers));
    const [first, second] = crossovers;
    assert.deepEqual([first.link, first.fromId, first.toId], ['mobile-edge', 'm@mobile', 'm@edge']);
    within(first.mbps, 40, 0.01);
    assert.equal(first.sentence, 'above 40 Mbps mobile→edge, edge/fp32 overtakes mobile/fp32');
    assert.deepEqual([second.link, second.fromId, second.toId], ['edge-cloud', 'm@edge', 'm@cloud']);
    within(second.mbps, 100, 0.01);
    assert.equal(second.sentence, 'above 100 Mbps edge→cloud, cloud/fp32 overtakes edge/fp32');
  });

  test('input decode moves the crossover: edge reads the request, mobile the sample it holds', () => {
    // mobile 300 + 10 (sample) vs edge 100 + 20 (request) + 8000/a → a* = 8000 / 190 = 42.1 Mbps.
    const input = threeTierStudy();
    input.network = {
      request: {
        encoding: 'encoded',
        bytes: 1e6,
        assumed: false,
        decode: {
          status: 'measured',
          encoding: 'encoded',
          requestHostP50Ms: 20,
          sampleHostP50Ms: 5,
          samples: 8,
          requestMs: { mobile: 40, edge: 20, cloud: 20 },
          sampleMs: { mobile: 10, edge: 5, cloud: 5 },
          scale: { mobile: 2, edge: 1, cloud: 1 },
          method: 'test',
        },
      },
    };
    const first = findCrossovers(input, { links: ['mobile-edge'] })[0]!;
    assert.deepEqual([first.fromId, first.toId], ['m@mobile', 'm@edge']);
    within(first.mbps, 8000 / 190, 0.01);
  });

  test('a latency budget makes a candidate feasible only above a bandwidth', () => {
    // Edge only, budget 200 ms at p95: 100 + 8000/a ≤ 200 ⇔ a ≥ 80 Mbps; below that nothing is feasible.
    const input = { ...threeTierStudy(), scenarios: ['edge' as const], constraints: { latencyBudgetMs: 200 } };
    const crossovers = findCrossovers(input, { links: ['mobile-edge'] });
    assert.equal(crossovers.length, 1);
    assert.equal(crossovers[0].fromId, null);
    assert.equal(crossovers[0].toId, 'm@edge');
    within(crossovers[0].mbps, 80, 0.01);
    assert.match(crossovers[0].sentence, /^above 8\d Mbps mobile→edge, edge\/fp32 becomes feasible and leads$/);
  });

  test('none when one candidate leads across the whole sweep', () => {
    const input = threeTierStudy();
    input.measurements[0].samplesMs = flat(5);
    assert.deepEqual(findCrossovers(input), []);
  });

  test('WRN-shaped study: the cloud overtakes the edge where 12 032/b ms of transfer equals the compute gap', () => {
    // cloud/dsptq − edge/dsptq differ only by the edge–cloud hop: 1.5 MB request (12 000/b ms) + 4 kB response (32/b ms).
    const input = { ...wrnStudy(), constraints: { maxAccuracyDrop: 3 } };
    const ranking = rankCandidates(input);
    const edge = ranking.candidates.find((c) => c.id === 'wrn-dsptq@edge');
    const cloud = ranking.candidates.find((c) => c.id === 'wrn-dsptq@cloud');
    assert.ok(edge && cloud);
    assert.equal(ranking.recommendedId, edge.id, 'at 1 Mbps the edge wins for images (the paper’s finding 4)');
    const expected = 12_032 / (edge.latency.computeP50Ms - cloud.latency.computeP50Ms);
    const crossover = findCrossovers(input, { links: ['edge-cloud'] });
    assert.equal(crossover.length, 1, JSON.stringify(crossover));
    assert.deepEqual([crossover[0].fromId, crossover[0].toId], [edge.id, cloud.id]);
    within(crossover[0].mbps, expected, 0.01);
    assert.match(crossover[0].sentence, /^above \d\.\d Mbps edge→cloud, cloud\/dsptq overtakes edge\/dsptq$/);
  });
});
