import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TierwiseError } from '../../common/errors';
import {
  chiSquareSurvival,
  cliffsDelta,
  cliffsMagnitude,
  conoverPosthoc,
  holmAdjust,
  kruskalWallis,
  mannWhitney,
  normalTwoSided,
  quantileSorted,
  rankWithTies,
  regularizedGammaP,
  studentTTwoSided,
} from './index';

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

describe('distributions', () => {
  test('chi-square tails at the textbook 5% critical values', () => {
    // Critical values from any χ² table: 3.841 (df 1), 5.991 (df 2), 7.815 (df 3), 18.307 (df 10).
    close(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-12, 'df 1');
    close(chiSquareSurvival(5.991464547107979, 2), 0.05, 1e-12, 'df 2');
    close(chiSquareSurvival(7.814727903251178, 3), 0.05, 1e-12, 'df 3');
    close(chiSquareSurvival(18.307038053275146, 10), 0.05, 1e-12, 'df 10');
  });

  test('chi-square with 2 df is exactly exp(−x/2)', () => {
    for (const x of [0.1, 1, 7.2, 40]) close(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-14, `x=${x}`);
  });

  test('incomplete gamma on both sides of its series/continued-fraction switch', () => {
    // P(1, x) = 1 − e^(−x); P(½, x) = erf(√x): erf(√0.1) = 0.345279153981423 (scipy.special.gammainc(0.5, 0.1)).
    close(regularizedGammaP(1, 0.5), 1 - Math.exp(-0.5), 1e-15, 'P(1, 0.5)');
    close(regularizedGammaP(1, 5), 1 - Math.exp(-5), 1e-15, 'P(1, 5)');
    close(regularizedGammaP(0.5, 0.1), 0.345279153981423, 1e-13, 'P(0.5, 0.1)');
    close(1 - regularizedGammaP(10, 30), 7.121750862815593e-6, 1e-15, 'Q(10, 30)');
  });

  test('normal two-sided tail: 1.959964 → 5%, 2.575829 → 1%', () => {
    close(normalTwoSided(1.959963984540054), 0.05, 1e-12, 'z=1.96');
    close(normalTwoSided(-2.5758293035489), 0.01, 1e-12, 'z=-2.58');
    assert.equal(normalTwoSided(0), 1);
  });

  test("Student's t two-sided tail: t(10) critical 2.228139 → 5%; t(1) is Cauchy", () => {
    close(studentTTwoSided(2.228138851986274, 10), 0.05, 1e-12, 't(10)');
    // Cauchy: P(|T| ≥ 1) = 1 − 2·atan(1)/π = 0.5.
    close(studentTTwoSided(1, 1), 0.5, 1e-12, 't(1)');
  });
});

describe('ranks and quantiles', () => {
  test('mid-ranks for ties and the Σ(t³−t) tie term', () => {
    const { ranks, tieTerm } = rankWithTies([3, 1, 2, 2, 3, 2]);
    // Sorted 1 | 2 2 2 | 3 3 → ranks 1 | 3 3 3 | 5.5 5.5; tie term (27−3) + (8−2) = 30.
    assert.deepEqual(Array.from(ranks), [5.5, 1, 3, 3, 5.5, 3]);
    assert.equal(tieTerm, 30);
  });

  test('type-7 quantiles as numpy computes them', () => {
    const sorted = [10, 20, 30, 40];
    assert.equal(quantileSorted(sorted, 0.5), 25);
    close(quantileSorted(sorted, 0.95), 38.5, 1e-12, 'p95'); // position 3·0.95 = 2.85 → 30 + 0.85·10
    assert.throws(() => quantileSorted([], 0.5), RangeError);
  });
});

describe('Kruskal–Wallis', () => {
  test('three separated groups, worked by hand', () => {
    // Ranks equal values; R = 6, 15, 24; H = 12/(9·10)·(36+225+576)/3 − 3·10 = 37.2 − 30 = 7.2; p = e^(−3.6).
    const result = kruskalWallis([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    close(result.h, 7.2, 1e-12, 'H');
    assert.equal(result.df, 2);
    close(result.p, Math.exp(-3.6), 1e-14, 'p');
    assert.deepEqual(result.meanRanks, [2, 5, 8]);
  });

  test('tie correction, worked by hand', () => {
    // Pooled 1 2 2 2 3 3 → ranks 1 3 3 3 5.5 5.5; R_A = 7, R_B = 14; H = 12/42·(49+196)/3 − 21 = 7/3;
    // C = 1 − 30/210 = 6/7; H/C = 49/18 = 2.7222; p = P(χ²₁ ≥ 2.7222) = 0.098960 (scipy.stats.kruskal agrees).
    const result = kruskalWallis([
      [1, 2, 2],
      [2, 3, 3],
    ]);
    close(result.h, 49 / 18, 1e-12, 'H');
    close(result.p, 0.09896015401940612, 1e-12, 'p');
  });

  test("Hollander & Wolfe's mucociliary clearance data (R's kruskal.test example): H = 0.7714, p = 0.68", () => {
    const result = kruskalWallis([
      [2.9, 3.0, 2.5, 2.6, 3.2],
      [3.8, 2.7, 4.0, 2.4],
      [2.8, 3.4, 3.7, 2.2, 2.0],
    ]);
    close(result.h, 0.7714285714285722, 1e-12, 'H');
    close(result.p, 0.6799647735788936, 1e-12, 'p');
  });

  test('identical values everywhere carry no evidence of a difference', () => {
    assert.deepEqual(
      {
        h: kruskalWallis([
          [5, 5],
          [5, 5, 5],
        ]).h,
        p: kruskalWallis([
          [5, 5],
          [5, 5, 5],
        ]).p,
      },
      { h: 0, p: 1 },
    );
  });

  test('rejects an empty group or a single group with a named error', () => {
    assert.throws(
      () => kruskalWallis([[1, 2], []]),
      (e: unknown) => e instanceof TierwiseError && e.code === 'STATISTICS_INVALID' && /group 1/.test(e.message),
    );
    assert.throws(() => kruskalWallis([[1, 2]]), TierwiseError);
  });
});

describe('Mann–Whitney U', () => {
  test('complete separation, worked by hand', () => {
    // U = 0, E[U] = 4.5, Var = 3·3/12·7 = 5.25, z = (0 − 4.5 + 0.5)/√5.25 = −1.7457; p = 0.080856 (scipy asymptotic).
    const result = mannWhitney([1, 2, 3], [4, 5, 6]);
    assert.equal(result.u, 0);
    close(result.z, -4 / Math.sqrt(5.25), 1e-12, 'z');
    close(result.p, 0.08085559837005224, 1e-12, 'p');
  });

  test('ties across the samples', () => {
    // Pooled 1 2 2 2 3 3 5 7 8: x = {1,2,2,5} has ranks 1,3,3,7 → R = 14, U = 14 − 10 = 4;
    // Var = 20/12·(10 − (24+6)/(9·8)) = 15.972; z = (4 − 10 + 0.5)/√15.972; p = 0.168761 (scipy asymptotic).
    const result = mannWhitney([1, 2, 2, 5], [2, 3, 3, 7, 8]);
    assert.equal(result.u, 4);
    close(result.p, 0.16876122858514953, 1e-12, 'p');
  });

  test('identical samples give p = 1', () => {
    assert.equal(mannWhitney([2, 2, 2], [2, 2]).p, 1);
  });
});

describe('Holm correction', () => {
  test('step-down adjustment, worked by hand', () => {
    // Sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → monotone 0.06.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => close(adjusted[i], expected, 1e-15, `p${i}`));
  });

  test('caps at 1 and rejects a p-value outside [0, 1]', () => {
    assert.deepEqual(holmAdjust([0.6, 0.9]), [1, 1]);
    assert.throws(() => holmAdjust([0.2, 1.5]), /p-value 1/);
  });
});

describe("Cliff's delta", () => {
  test('counts dominance over all pairs, worked by hand', () => {
    // x=1 is below 2,3,4 (3 less); x=2 ties 2, below 3,4 (2 less); x=3 above 2, ties 3, below 4 (1 greater, 1 less).
    // δ = (1 − 6)/9 = −0.5556 → large.
    const result = cliffsDelta([1, 2, 3], [2, 3, 4]);
    close(result.delta, -5 / 9, 1e-15, 'delta');
    assert.equal(result.magnitude, 'large');
    assert.equal(cliffsDelta([2, 3, 4], [1, 2, 3]).delta, 5 / 9);
  });

  test('magnitude thresholds 0.147 / 0.33 / 0.474', () => {
    assert.deepEqual([0, 0.146, 0.147, 0.329, 0.33, 0.473, 0.474, -1].map(cliffsMagnitude), [
      'negligible',
      'negligible',
      'small',
      'small',
      'medium',
      'medium',
      'large',
      'large',
    ]);
  });

  test('identical distributions are negligible', () => {
    assert.deepEqual(cliffsDelta([1, 2, 3, 4], [4, 3, 2, 1]), { delta: 0, magnitude: 'negligible' });
  });
});

describe('Conover post-hoc', () => {
  test("Hollander & Wolfe's data: mean ranks 7.2 / 9.0 / 6.6, S² = 17.5, df = 12", () => {
    // t₀₁ = |7.2 − 9| / √(17.5·(14 − 0.7714)/12·(1/5 + 1/4)) = 0.60835, p = 0.55531 (t with 12 df);
    // t₀₂ = 0.21509, p = 0.83364; t₁₂ = 0.81114, p = 0.43449. Holm: 0.43449·3 ≥ 1, so all adjust to 1.
    const results = conoverPosthoc([
      [2.9, 3.0, 2.5, 2.6, 3.2],
      [3.8, 2.7, 4.0, 2.4],
      [2.8, 3.4, 3.7, 2.2, 2.0],
    ]);
    const expected = [
      { statistic: 0.6083530701360232, p: 0.5553068125522819 },
      { statistic: 0.2150852906244189, p: 0.8336365995136947 },
      { statistic: 0.8111374268480311, p: 0.4344867617722203 },
    ];
    results.forEach((result, i) => {
      close(result.statistic, expected[i].statistic, 1e-10, `t${i}`);
      close(result.p, expected[i].p, 1e-10, `p${i}`);
      assert.equal(result.pAdjusted, 1);
    });
  });

  test('separated groups differ significantly', () => {
    const results = conoverPosthoc(
      [
        [1, 2, 3, 4],
        [11, 12, 13, 14],
        [21, 22, 23, 24],
      ],
      [[0, 2]],
    );
    assert.equal(results.length, 1);
    assert.ok(results[0].p < 0.001, `p = ${results[0].p}`);
  });
});
