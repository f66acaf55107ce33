import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import type { DatasetSample } from '../../datasets/formats/types';
import { sptq } from '../registry/sptq';
import { fixtureModelPath, loadFixtureSplit } from '../testing/fixture-samples';
import { compareRounds, interleavedRoundMedians, latencyGroups, placeLatencyAware } from './latency-aware';
import { calibrateModel } from './static-int8';

const imageTeacher = readFileSync(fixtureModelPath('fashion-resnet', 'identity'));
let calib: DatasetSample[];

describe('latency-aware static int8 on the image teacher fixture', () => {
  before(async () => {
    calib = (await loadFixtureSplit('fashion-resnet', 'calib-200', 32)).samples;
  });

  test('the chosen placement is no slower than fp32 (re-measured, medians of interleaved rounds)', async () => {
    const calibrated = await calibrateModel(imageTeacher, calib);
    const groups = latencyGroups(calibrated, new Set());
    assert.ok(groups.size >= 1);
    const { bytes, placement } = await placeLatencyAware(
      imageTeacher,
      calibrated,
      { method: 'minmax', perChannel: true },
      {
        inputs: calib[0].inputs,
        threads: 1,
        rounds: 5,
      },
    );
    // The decision follows its own measurements: int8 only when faster by the margin.
    assert.equal(placement.outcome, placement.speedup >= placement.minSpeedup ? 'int8' : 'not-faster');
    assert.equal(placement.trials[0].change, 'full int8 vs fp32');
    for (const k of placement.keptFloat) {
      const trial = placement.trials.find((t) => t.change === `keep ${k.group} in fp32`)!;
      assert.ok(trial.kept && trial.ratio > 1, `kept ${k.group} fp32 without a measured gain`);
      assert.match(k.reason, /int8 was slower here at 1 thread/);
    }
    if (placement.outcome === 'int8') {
      // An independent measurement: on a loaded 2-core host the chosen model's median may wobble, never by 15 %.
      const [fp, q] = await interleavedRoundMedians([imageTeacher, bytes], calib[0].inputs, { threads: 1, rounds: 7 });
      const cmp = compareRounds(fp, q);
      assert.ok(cmp.candidateMs <= cmp.baselineMs * 1.15, `int8 ${cmp.candidateMs} ms vs fp32 ${cmp.baselineMs} ms`);
    }
  });

  test('sptq refuses with INT8_NOT_FASTER (and the timings) when no placement reaches the required speed-up', async () => {
    // A 20x gain is out of reach for int8: the search runs on real timings and must say the float form stays.
    await assert.rejects(
      sptq.apply(
        imageTeacher,
        { method: 'minmax', perChannel: true, latencyAware: true, threads: 1, minSpeedup: 20 },
        { calibration: calib, feeds: [calib[0].inputs] },
      ),
      (e: unknown) => {
        assert.ok(e instanceof TierwiseError && e.code === 'INT8_NOT_FASTER', String(e));
        assert.equal(e.status, 422);
        const latency = (e.details as { latency: { outcome: string; fp32Ms: number; trials: unknown[] } }).latency;
        assert.equal(latency.outcome, 'not-faster');
        assert.ok(latency.fp32Ms > 0 && latency.trials.length >= 1);
        return true;
      },
    );
  });

  test('sptq with latencyAware records the placement in its report', async () => {
    const out = await sptq.apply(
      imageTeacher,
      { method: 'minmax', perChannel: true, latencyAware: true, threads: 1 },
      { calibration: calib, feeds: [calib[0].inputs] },
    );
    const latency = out.report!.latency as { outcome: string; speedup: number; keptFloat: unknown[] };
    assert.equal(latency.outcome, 'int8');
    assert.ok(latency.speedup > 1);
    assert.ok(Array.isArray(latency.keptFloat));
  });
});
