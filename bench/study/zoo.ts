/**
 * Studies that scale: one full default study (every tier, every default scenario, adaptive effort) per model —
 * the two fixture families with their white-box variants and eval sets, then each zoo model at its stated input
 * spec (ISNet with its label-free image set, ranked by mask IoU to fp32) — each timed from POST /v1/studies to
 * completed and set against its summed child-process time (runner, build and evaluation children). Targets
 * (issue 15): the ISNet study in ≤ 20 minutes on this 2-core host, and every study ≤ 1.3× its summed child time.
 *
 *   npm run build && node dist/bench/study/zoo.js [--big] [--only image,text,melspectrogram,…] [--target-rel-ci 0.05] [--budget-ms 20000] [--warmup n]
 *
 * Writes bench/results/study-zoo.json; a run over some models keeps the other models' rows. `--big` adds ISNet
 * (node scripts/zoo.mjs install --big). Uses $DATABASE_URL (default tierwise_bench).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { zooStudy } from '../zoo/study';
import { installZoo, ZOO_MODELS } from '../zoo/zoo-models';
import { chainName, runStudy, startStack, uploadFamily, type Family, type Stack } from './run-study';
import { breakdown } from './timeline';

const TARGET_RATIO = 1.3;
const TARGET_ISNET_S = 20 * 60;

interface Row {
  model: string;
  kind: 'fixture family' | 'zoo';
  status: string;
  effort: Record<string, unknown>;
  tiers: string[];
  scenarios: number;
  variants: { built: string[]; refused: string[] };
  measurements: number;
  timeToRecommendationS: number;
  childS: number;
  /** Of childS: build attempts that failed (retries and refusals). */
  failedBuildS: number;
  ratio: number;
  unionChildS: number;
  recommendation: string | null;
  studyId: string;
  measuredAt: string;
  loadAverage1m: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

async function familyRow(stack: Stack, family: Family, effort: Record<string, unknown>): Promise<Row> {
  const ids = await uploadFamily(stack.api, stack.auth, family, family === 'image' ? 'eval-100' : 'test-100');
  const run = await runStudy(stack, { ...ids, constraints: { maxAccuracyDrop: 1 }, effort }, 30 * 60_000);
  const b = breakdown(run);
  const top = run.recommendations[0];
  const name = (id: string): string => chainName(run.variants.find((v) => v.id === id)?.operators ?? [id]);
  return {
    model: family === 'image' ? 'fashion-resnet (image family)' : 'sentiment-bert (text family)',
    kind: 'fixture family',
    status: run.study.status,
    effort,
    tiers: run.study.tiers,
    scenarios: (run.study.scenarios as string[]).length,
    variants: {
      built: run.variants.filter((v) => v.status === 'ready').map((v) => chainName(v.operators)),
      refused: run.variants
        .filter((v) => v.status !== 'ready')
        .map((v) => `${chainName(v.operators)}: ${(v.error ?? v.status).split(':')[0]}`),
    },
    measurements: run.measurements.length,
    timeToRecommendationS: seconds(b.timeToRecommendationMs),
    childS: seconds(b.child.totalMs),
    failedBuildS: seconds(b.child.failedBuildMs),
    ratio: Number(b.ratio.toFixed(2)),
    unionChildS: seconds(b.unionChildMs),
    recommendation: top ? `${name(top.variantId)} on ${top.scenario}` : null,
    studyId: run.study.id,
    measuredAt: new Date().toISOString(),
    loadAverage1m: loadavg()[0]!,
  };
}

function table(rows: Row[]): string {
  const lines = [
    '| model | tiers · scenarios | variants built / refused | measurements | time to recommendation | Σ child time (of it failed builds) | ratio | recommendation |',
    '|---|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const refused = r.variants.refused.length > 0 ? ` / ${r.variants.refused.join('; ')}` : '';
    lines.push(
      `| ${r.model} | ${r.tiers.length} · ${r.scenarios} | ${r.variants.built.length}${refused} | ${r.measurements} | ${r.timeToRecommendationS} s | ${r.childS} s (${r.failedBuildS ?? '?'} s) | ${r.ratio.toFixed(2)} | ${r.recommendation ?? r.status} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const big = process.argv.includes('--big');
  const only = option('--only')?.split(',');
  // Adaptive effort: each measurement stops once its p50's 95 % interval is within ±targetRelCi, or at its budget.
  const effort = {
    mode: 'adaptive',
    targetRelCi: Number(option('--target-rel-ci') ?? 0.05),
    timeBudgetMs: Number(option('--budget-ms') ?? 20_000),
    ...(option('--warmup') ? { warmup: Number(option('--warmup')) } : {}),
  };
  const { models: paths } = installZoo(big);
  const families: Family[] = (['image', 'text'] as const).filter((f) => !only || only.includes(f));
  const zoo = ZOO_MODELS.filter((m) => (big || m.ci) && (!only || only.includes(m.id)) && paths[m.id]);
  const resultPath = join(repoRoot(), 'bench/results/study-zoo.json');
  const previous = existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, 'utf8')) as { rows: Row[] }).rows : [];
  const order = (r: Row): number =>
    r.kind === 'fixture family' ? (r.model.startsWith('fashion') ? -2 : -1) : ZOO_MODELS.findIndex((m) => m.id === r.model);
  const rows: Row[] = previous.filter(
    (r) => !(families.some((f) => r.model.includes(`(${f} family)`)) || zoo.some((m) => m.id === r.model)),
  );
  const save = (): void => {
    rows.sort((a, b) => order(a) - order(b));
    mkdirSync(dirname(resultPath), { recursive: true });
    writeFileSync(
      resultPath,
      `${JSON.stringify(
        {
          command: 'npm run build && node dist/bench/study/zoo.js [--big]',
          host: `${cpus()[0]?.model} × ${cpus().length}`,
          targets: { ratio: TARGET_RATIO, isnetSeconds: TARGET_ISNET_S },
          rows,
        },
        null,
        2,
      )}\n`,
    );
  };
  const stack = await startStack();
  try {
    for (const family of families) {
      process.stderr.write(`full study: ${family} family… `);
      const row = await familyRow(stack, family, effort);
      process.stderr.write(`${row.status} in ${row.timeToRecommendationS} s (${row.ratio}× child)\n`);
      rows.push(row);
      save();
    }
    for (const model of zoo) {
      process.stderr.write(`full study: ${model.id}… `);
      const z = await zooStudy(stack, model, paths[model.id]!, { effort, timeoutMs: 90 * 60_000 });
      const row: Row = {
        model: model.id,
        kind: 'zoo',
        status: z.status,
        effort,
        tiers: z.tiers,
        scenarios: z.scenarios.length,
        variants: {
          built: z.variants.filter((v) => v.status === 'ready').map((v) => v.operators.join('+')),
          refused: z.variants
            .filter((v) => v.status !== 'ready')
            .map((v) => `${v.operators.join('+')}: ${(v.error ?? v.status).split(':')[0]}`),
        },
        measurements: z.measurements.length,
        timeToRecommendationS: z.timing.timeToRecommendationS,
        childS: z.timing.childS,
        failedBuildS: z.timing.failedBuildS,
        ratio: z.timing.ratio,
        unionChildS: z.timing.unionChildS,
        recommendation: z.recommendation,
        studyId: z.studyId,
        measuredAt: z.measuredAt,
        loadAverage1m: loadavg()[0]!,
      };
      process.stderr.write(`${row.status} in ${row.timeToRecommendationS} s (${row.ratio}× child)\n`);
      rows.push(row);
      save();
    }
  } finally {
    await stack.close();
  }
  const isnet = rows.filter((r) => r.model.startsWith('isnet'));
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(
    `\nratio ≤ ${TARGET_RATIO} on every study: ${rows.every((r) => r.ratio <= TARGET_RATIO) ? 'MET' : 'MISSED'}` +
      (isnet.length > 0
        ? `; ISNet ≤ ${TARGET_ISNET_S / 60} min: ${isnet.every((r) => r.timeToRecommendationS <= TARGET_ISNET_S) ? 'MET' : 'MISSED'}`
        : '') +
      `\nwrote bench/results/study-zoo.json\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
