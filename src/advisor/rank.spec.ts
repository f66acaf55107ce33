import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TierwiseError } from '../common/errors';
import { rankCandidates } from './rank';
import { paretoFront } from './pareto';
import { bertStudy } from './testing/synthetic-study';
import type { Candidate, Ranking, StudyInput } from './types';

function byShortName(ranking: Ranking, name: string): Candidate {
  const found = ranking.candidates.find((c) => c.shortName === name);
  assert.ok(found, `no candidate ${name}`);
  return found;
}

const LOSSY = ['bert-qat', 'bert-pruned', 'bert-distilled', 'bert-dsptq'];

describe('ranking a BERT-shaped study', () => {
  test('composes end-to-end latency: compute samples plus the hand-computed network share', () => {
    const ranking = rankCandidates(bertStudy());
    const cloud = byShortName(ranking, 'cloud/sptq');
    // Request 3072 B: 0.12288 ms at 200 Mbps + 24.576 ms at 1 Mbps; response 8 B: 0.064 ms + 0.00032 ms.
    assert.ok(Math.abs(cloud.latency.networkMs - 24.7632) < 1e-9, `network ${cloud.latency.networkMs}`);
    assert.ok(Math.abs(cloud.latency.p50Ms - (cloud.latency.computeP50Ms + 24.7632)) < 1e-9);
    assert.ok(Math.abs(cloud.latency.computeP50Ms - 280) < 280 * 0.02, `compute p50 ${cloud.latency.computeP50Ms} near the paper's 0.28 s`);
    assert.equal(byShortName(ranking, 'mobile/fp32').latency.networkMs, 0);
    const partition = byShortName(ranking, 'mobile|edge/fp32');
    // Cut 128×768 fp32 = 393 216 B → 15.72864 ms at 200 Mbps; response 8 B from edge: 0.00032 ms; request stays on mobile.
    assert.ok(Math.abs(partition.latency.networkMs - 15.72896) < 1e-9, `partition network ${partition.latency.networkMs}`);
    assert.equal(partition.cut, 'embeddings');
  });

  test('input decode is added where the model starts: the request where it arrives, the held sample on mobile', () => {
    const plain = rankCandidates(bertStudy());
    const study = bertStudy();
    const requestMs = { mobile: 4, edge: 2, cloud: 3 };
    const sampleMs = { mobile: 1.5, edge: 0.75, cloud: 0.75 };
    const decoded = rankCandidates({
      ...study,
      network: {
        request: {
          encoding: 'encoded',
          bytes: study.payloads.requestBytes,
          assumed: false,
          decode: {
            status: 'measured',
            encoding: 'encoded',
            requestHostP50Ms: 2,
            sampleHostP50Ms: 0.75,
            samples: 8,
            requestMs,
            sampleMs,
            scale: { mobile: 2, edge: 1, cloud: 1 },
            method: 'test',
          },
        },
      },
    });
    for (const c of decoded.candidates) {
      const before = plain.candidates.find((p) => p.id === c.id)!;
      const tier = c.tiers[0] as keyof typeof requestMs;
      // on mobile (on-device, or a partition's head) the sample as held; elsewhere the request as sent
      const expected = tier === 'mobile' ? sampleMs.mobile : requestMs[tier];
      assert.equal(c.latency.inputDecodeMs, expected, c.id);
      for (const figure of ['p50Ms', 'p95Ms', 'meanMs'] as const)
        assert.ok(Math.abs(c.latency[figure] - before.latency[figure] - expected) < 1e-9, `${c.id} ${figure}`);
      assert.equal(c.latency.networkMs, before.latency.networkMs);
    }
    // Not measured: nothing is added, and the reason travels with the network (the report shows it).
    const unmeasured = rankCandidates({
      ...study,
      network: {
        request: {
          encoding: 'raw-tensor',
          bytes: 1,
          assumed: false,
          decode: { status: 'not-measured', encoding: 'raw-tensor', reason: 'no dataset' },
        },
      },
    });
    assert.deepEqual(
      unmeasured.candidates.map((c) => c.latency.p50Ms),
      plain.candidates.map((c) => c.latency.p50Ms),
    );
    assert.equal(unmeasured.network.request?.decode?.status, 'not-measured');
  });

  test('a tight accuracy limit excludes the lossy variants, saying by how much', () => {
    const ranking = rankCandidates({ ...bertStudy(), constraints: { maxAccuracyDrop: 1 } });
    const feasibleVariants = new Set(ranking.candidates.filter((c) => c.feasible).map((c) => c.variantId));
    assert.deepEqual([...feasibleVariants].sort(), ['bert', 'bert-sptq']);
    for (const c of ranking.candidates.filter((x) => LOSSY.includes(x.variantId))) {
      assert.equal(c.feasible, false);
      assert.equal(c.rank, null);
      const violation = c.violations.find((v) => v.constraint === 'maxAccuracyDrop');
      assert.ok(violation && violation.by !== null && violation.actual !== null);
      assert.ok(Math.abs(violation.actual - (90.42 - (c.accuracy as number))) < 1e-9);
      assert.ok(Math.abs(violation.by - (violation.actual - 1)) < 1e-9);
      assert.match(c.explanation, /^Rejected: the .+ loses \d\.\d points of accuracy, \d\.\d more than the 1\.0 allowed\.$/);
    }
    const qat = byShortName(ranking, 'cloud/qat');
    assert.equal(
      qat.explanation,
      'Rejected: the quantization-aware-trained model in the cloud loses 1.5 points of accuracy, 0.5 more than the 1.0 allowed.',
    );

    assert.equal(ranking.recommendedId, 'bert-sptq@cloud');
    const top = ranking.candidates[0];
    const reference = byShortName(ranking, 'mobile/fp32');
    assert.equal(ranking.referenceId, reference.id);
    const ratio = (reference.latency.p50Ms / top.latency.p50Ms).toFixed(1);
    assert.ok(Number(ratio) > 15, `cloud int8 should be far faster than fp32 on mobile, got ${ratio}×`);
    assert.ok(
      top.explanation.startsWith(`Run the int8-quantized model in the cloud: ${ratio}× faster than the fp32 model on mobile (`),
      top.explanation,
    );
    assert.ok(top.explanation.endsWith('at p50), −0.8 points of accuracy.'), top.explanation);
    assert.ok(Math.abs((ranking.accuracyFloor as number) - 89.42) < 1e-9);
  });

  test('a tight latency budget leaves only the fast scenario, and a tighter one none, with reasons', () => {
    const loose = rankCandidates({ ...bertStudy(), constraints: { maxAccuracyDrop: 3, latencyBudgetMs: 200 } });
    const feasible = loose.candidates.filter((c) => c.feasible);
    assert.deepEqual(
      feasible.map((c) => c.id),
      ['bert-dsptq@cloud'],
    );
    for (const c of loose.candidates.filter((x) => !x.feasible)) {
      const violation = c.violations.find((v) => v.constraint === 'latencyBudgetMs');
      assert.ok(violation, `${c.id} should break the budget`);
      assert.ok(Math.abs((violation.by as number) - (c.latency.p95Ms - 200)) < 1e-9);
    }

    const none = rankCandidates({ ...bertStudy(), constraints: { latencyBudgetMs: 50 } });
    assert.equal(none.recommendedId, null);
    assert.equal(none.kruskalWallis, null);
    assert.ok(none.candidates.every((c) => !c.feasible && c.rank === null));
    const fastest = byShortName(none, 'cloud/dsptq');
    assert.match(
      fastest.explanation,
      /^Rejected: the distilled model with int8 quantization in the cloud takes 1\d\d ms at p95, [\d.]+ ms over the 50\.0 ms budget\.$/,
    );
  });

  test('size and memory limits, several violations in one sentence', () => {
    const ranking = rankCandidates({ ...bertStudy(), constraints: { maxModelBytes: 120e6, maxMemoryBytes: 300e6 } });
    const fp32 = byShortName(ranking, 'edge/fp32');
    assert.deepEqual(
      fp32.violations.map((v) => [v.constraint, v.actual, v.by]),
      [
        ['maxModelBytes', 438e6, 318e6],
        ['maxMemoryBytes', 438e6 * 1.3 + 60e6, 438e6 * 1.3 + 60e6 - 300e6],
      ],
    );
    assert.equal(
      fp32.explanation,
      'Rejected: the fp32 model on the edge is 438.0 MB, 318.0 MB over the 120.0 MB size limit and peaks at 629.4 MB of memory, 329.4 MB over the 300.0 MB limit.',
    );
    assert.ok(byShortName(ranking, 'edge/sptq').feasible);
  });

  test('statistically indistinguishable latencies share a rank, the more accurate listed first', () => {
    const ranking = rankCandidates(bertStudy());
    assert.ok(ranking.kruskalWallis && ranking.kruskalWallis.p < 1e-10);
    // Pruning stored dense is no faster (the paper's finding 3): same medians, so Cliff's delta is negligible.
    for (const tier of ['mobile', 'edge', 'cloud']) {
      const fp32 = byShortName(ranking, `${tier}/fp32`);
      const pruned = byShortName(ranking, `${tier}/pruned`);
      assert.equal(fp32.rank, pruned.rank, `${tier}: fp32 rank ${fp32.rank}, pruned rank ${pruned.rank}`);
      assert.ok(ranking.candidates.indexOf(fp32) < ranking.candidates.indexOf(pruned), 'the more accurate comes first');
      assert.match(fp32.explanation, new RegExp(`statistically tied at rank ${fp32.rank} with ${tier}/pruned\\.$`));
    }
    const dsptq = byShortName(ranking, 'cloud/dsptq');
    assert.equal(dsptq.rank, 1);
    assert.equal(ranking.candidates.filter((c) => c.rank === 1).length, 1);
    const ranks = ranking.candidates.map((c) => c.rank as number);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
      'listed by rank',
    );
    assert.equal(Math.max(...ranks), new Set(ranks).size, 'dense ranks');
  });

  test('with no evidence of any difference, everyone shares rank 1', () => {
    const input = bertStudy(30);
    const samples = input.measurements.find((m) => m.variantId === 'bert' && m.tier === 'cloud')?.samplesMs as number[];
    const ranking = rankCandidates({
      ...input,
      scenarios: ['cloud'],
      variants: input.variants.filter((v) => ['bert', 'bert-pruned'].includes(v.id)),
      measurements: ['bert', 'bert-pruned'].map((variantId, i) => ({
        variantId,
        tier: 'cloud' as const,
        part: 'whole' as const,
        samplesMs: samples.map((s) => s + i * 1e-6),
        peakMemoryBytes: 1,
      })),
    });
    // Interleaved a₁ < b₁ < a₂ < …: R_a = Σ(2i−1) = 900, R_b = Σ2i = 930 over i = 1..30;
    // H = 12/(60·61)·(900² + 930²)/30 − 3·61 = 0.04918, p = 0.82.
    const kw = ranking.kruskalWallis as { h: number; p: number };
    assert.ok(Math.abs(kw.h - 0.04918032786885) < 1e-9, `H ${kw.h}`);
    assert.ok(kw.p > 0.8);
    assert.deepEqual(
      ranking.candidates.map((c) => c.rank),
      [1, 1],
    );
  });

  test('a non-negligible but non-significant difference on few samples is a tie after Holm', () => {
    // Six samples each, shifted so Cliff's delta is about −0.4 (medium) yet Mann–Whitney cannot tell them apart.
    const a = [100, 103, 106, 109, 112, 115];
    const b = a.map((x) => x + 4);
    const input: StudyInput = {
      baselineVariantId: 'a',
      variants: [
        { id: 'a', operators: [], label: 'fp32 model', sizeBytes: 1 },
        { id: 'b', operators: ['sptq'], label: 'int8 model', sizeBytes: 1 },
      ],
      measurements: [
        { variantId: 'a', tier: 'edge', part: 'whole', samplesMs: a, peakMemoryBytes: 1 },
        { variantId: 'b', tier: 'edge', part: 'whole', samplesMs: b, peakMemoryBytes: 1 },
      ],
      payloads: { requestBytes: 0, responseBytes: 0, cutBytes: {} },
      scenarios: ['edge'],
    };
    const ranking = rankCandidates(input);
    assert.deepEqual(
      ranking.candidates.map((c) => [c.id, c.rank]),
      [
        ['a@edge', 1],
        ['b@edge', 1],
      ],
    );
    const comparison = ranking.candidates[1].comparison;
    assert.ok(comparison && comparison.magnitude !== 'negligible' && comparison.pAdjusted >= 0.05, JSON.stringify(comparison));
    assert.equal(comparison.leaderId, 'a@edge');
  });

  test('an unmeasured accuracy cannot satisfy an accuracy limit', () => {
    const input = bertStudy(20);
    input.variants = input.variants.map((v) => (v.id === 'bert-sptq' ? { ...v, accuracy: undefined } : v));
    const ranking = rankCandidates({ ...input, constraints: { maxAccuracyDrop: 5 } });
    const sptq = byShortName(ranking, 'cloud/sptq');
    assert.deepEqual(sptq.violations, [{ constraint: 'maxAccuracyDrop', limit: 5, actual: null, by: null }]);
    assert.equal(sptq.pareto, false);
    assert.match(sptq.explanation, /has no accuracy measurement to check against the 5\.0-point limit/);
  });

  test('bad input is refused with a named error', () => {
    const input = bertStudy(5);
    const invalid = (change: Partial<StudyInput>, pattern: RegExp): void =>
      assert.throws(
        () => rankCandidates({ ...input, ...change }),
        (e: unknown) => e instanceof TierwiseError && e.code === 'ADVISOR_INPUT_INVALID' && pattern.test(e.message),
      );
    invalid({ baselineVariantId: 'nope' }, /baseline variant "nope"/);
    invalid(
      { measurements: [...input.measurements, { variantId: 'ghost', tier: 'edge', part: 'whole', samplesMs: [1], peakMemoryBytes: 0 }] },
      /unknown variant/,
    );
    invalid(
      { measurements: [{ variantId: 'bert', tier: 'edge', part: 'head', cut: 'x', samplesMs: [1], peakMemoryBytes: 0 }] },
      /cutBytes has no size for cut "x"/,
    );
    invalid(
      { measurements: [{ variantId: 'bert', tier: 'edge', part: 'whole', samplesMs: [], peakMemoryBytes: 0 }] },
      /no latency samples/,
    );
    invalid({ constraints: { latencyBudgetMs: -3 } }, /constraints\.latencyBudgetMs/);
    invalid({ scenarios: ['moon' as never] }, /scenario "moon"/);
  });
});

describe('Pareto front', () => {
  test('keeps exactly the non-dominated points, worked by hand', () => {
    const flags = paretoFront([
      { latencyMs: 100, accuracy: 90 }, // fastest: on the front
      { latencyMs: 200, accuracy: 92 }, // slower but more accurate: on the front
      { latencyMs: 150, accuracy: 89 }, // dominated by (100, 90)
      { latencyMs: 300, accuracy: 92 }, // dominated by (200, 92)
      { latencyMs: 50, accuracy: null }, // unknown accuracy: never shown optimal
      { latencyMs: 100, accuracy: 90 }, // a duplicate of an optimal point is optimal too
    ]);
    assert.deepEqual(flags, [true, true, false, false, false, true]);
  });

  test('with no accuracy at all it falls back to latency alone', () => {
    assert.deepEqual(
      paretoFront([
        { latencyMs: 10, accuracy: null },
        { latencyMs: 20, accuracy: null },
      ]),
      [true, false],
    );
  });
});
