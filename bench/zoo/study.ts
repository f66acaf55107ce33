/**
 * The zoo's full studies: each zoo model uploaded through the REST API and studied end to end (build every
 * applicable variant, benchmark, rank) at the input spec the zoo states, without a dataset — or, for a model with
 * a label-free set (ISNet), with its task declared by PATCH and an unlabelled image set, so variants are ranked by
 * the task's fidelity to the fp32 model (mask IoU for a segmenter) and the row records each variant's. For a model with
 * symbolic dims it first checks that a study without a spec is refused with 422 INPUT_SPEC_REQUIRED. Records per
 * model: the study's status and wall time, each variant's outcome (built and checked, or refused with its code)
 * with the input shapes its build ran at, and the p50 of every measurement with the shapes it ran at.
 *
 *   npm run build && node dist/bench/zoo/study.js [--big] [--only id,id] [--tiers mobile,edge] [--scenarios edge,mobile|edge] [--runs n]
 *
 * Writes bench/results/zoo-study.json (TIERWISE_ZOO_STUDY_RESULT overrides); a run over some models keeps the
 * other models' rows. Uses $DATABASE_URL (default tierwise_bench) and an isolated queue prefix and blob folder.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { runStudy, startStack, type Auth, type Stack } from '../study/run-study';
import { breakdown } from '../study/timeline';
import { tierwiseSpec } from './engines';
import { installZoo, repoRoot, ZOO_MODELS, type LabelFreeSet, type ZooModel } from './zoo-models';

export interface ZooStudyRow {
  model: string;
  studyId: string;
  spec: unknown;
  /** The code a study without a spec got (INPUT_SPEC_REQUIRED for symbolic dims), or null for static shapes. */
  withoutSpec: { status: number; code: string | null } | null;
  status: string;
  error: string | null;
  wallSeconds: number;
  tiers: string[];
  scenarios: string[];
  variants: Array<{
    operators: string[];
    status: string;
    error: string | null;
    inputShapes: unknown;
    buildSeconds: number | null;
    /** Child milliseconds of build attempts that failed (retries, or the refusal itself). */
    failedBuildMs: number;
  }>;
  measurements: Array<{ variant: string; tier: string; part: string; p50Ms: number; inputShapes: unknown }>;
  recommendation: string | null;
  /** The effort the study ran with. */
  effort: Record<string, unknown>;
  /**
   * Where the study's wall time went (bench/study/timeline.ts): POST → completed seen, the summed child-process time
   * (runner, build and evaluation children), their ratio, and the union of the child intervals (children overlap
   * where cores allow).
   */
  timing: {
    timeToRecommendationS: number;
    childS: number;
    ratio: number;
    unionChildS: number;
    runners: number;
    builds: number;
    /** Build attempts whose child ran and failed (retries and refusals), and their summed child time. */
    failedBuilds: number;
    failedBuildS: number;
    evaluations: number;
  };
  /** The task the upload guessed and the one declared (label-free rows only). */
  task?: { guessed: string; declared: string; postprocess: unknown };
  /** Label-free rows: the metric the study ranked by and each variant's fidelity to fp32 (percent, 95 % interval). */
  fidelity?: {
    metric: string;
    constraints: Record<string, number>;
    dataset: { source: string; images: number; labelled: boolean };
    variants: Array<{
      variant: string;
      value: number;
      ciLow: number | null;
      ciHigh: number | null;
      n: number;
      drop: number | null;
      feasible: boolean;
      rank: number | null;
    }>;
  };
  measuredAt: string;
}

/** Declares the model's task and uploads the first `images` of the set's source folder, without labels. */
async function uploadLabelFree(
  stack: Stack,
  auth: Auth,
  modelId: string,
  set: LabelFreeSet,
): Promise<{ datasetId: string; labelled: boolean; postprocess: unknown }> {
  const { api } = stack;
  const declared = await api.http.patch(`/v1/models/${modelId}`).set(auth).send({ task: set.task, postprocess: set.postprocess });
  if (declared.status !== 200) throw new Error(`PATCH task: ${declared.status} ${JSON.stringify(declared.body)}`);
  const source = join(repoRoot(), 'test/fixtures', set.source);
  const folder = join(mkdtempSync(join(tmpdir(), 'tierwise-zoo-')), 'label-free');
  mkdirSync(folder);
  for (const name of readdirSync(source).sort().slice(0, set.images)) copyFileSync(join(source, name), join(folder, name));
  const archive = `${folder}.tar.gz`;
  tar.c({ sync: true, gzip: true, cwd: dirname(folder), file: archive, portable: true }, ['label-free']);
  const dataset = await api.http.post('/v1/datasets').set(auth).field('preprocess', JSON.stringify(set.preprocess)).attach('file', archive);
  if (dataset.status !== 201) throw new Error(`label-free dataset: ${dataset.status} ${JSON.stringify(dataset.body)}`);
  return { datasetId: dataset.body.id as string, labelled: dataset.body.labelled as boolean, postprocess: declared.body.postprocess };
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const hasSymbolicDims = (model: ZooModel, io: Array<{ shape: unknown[] | null }>): boolean =>
  io.some((i) => !i.shape || i.shape.some((d) => typeof d !== 'number' || d <= 0)) ||
  Object.values(model.spec).some((e) => e.value !== undefined);

export interface ZooStudyOptions {
  /** Tiers and scenarios; absent, the API's defaults (every tier, every default scenario: a full study). */
  tiers?: string[];
  scenarios?: string[];
  /** The study's effort; absent, fixed runs (`runs`, at least 5) after a short warm-up. */
  effort?: Record<string, unknown>;
  runs?: number;
  timeoutMs: number;
}

/** Uploads `path` and runs one study at the model's spec. */
export async function zooStudy(stack: Stack, model: ZooModel, path: string, options: ZooStudyOptions): Promise<ZooStudyRow> {
  const runs = options.runs ?? 5;
  const { api, auth } = stack;
  const uploaded = await api.http.post('/v1/models').set(auth).field('name', model.id).attach('file', path);
  if (uploaded.status !== 201) throw new Error(`upload of ${model.id}: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
  const modelId = uploaded.body.id as string;
  const labelFree = model.labelFree ? await uploadLabelFree(stack, auth, modelId, model.labelFree) : undefined;
  // The API takes 5 runs at least; a heavy model (seconds per inference) warms up once.
  const base = {
    modelId,
    ...(labelFree && model.labelFree ? { datasetId: labelFree.datasetId, constraints: model.labelFree.constraints } : {}),
    ...(options.tiers ? { tiers: options.tiers } : {}),
    ...((options.scenarios ?? options.tiers) ? { scenarios: options.scenarios ?? options.tiers } : {}),
    effort: options.effort ?? { warmup: model.ci ? Math.min(3, runs) : 1, runs: Math.max(5, runs) },
  };
  let withoutSpec: ZooStudyRow['withoutSpec'] = null;
  if (hasSymbolicDims(model, uploaded.body.inputs ?? [])) {
    const refused = await api.http.post('/v1/studies').set(auth).send(base);
    withoutSpec = { status: refused.status, code: refused.body?.error?.code ?? null };
  }
  const spec = tierwiseSpec(model.spec);
  const started = Date.now();
  const run = await runStudy(stack, { ...base, inputs: spec }, options.timeoutMs);
  const time = breakdown(run);
  const seconds = (ms: number): number => Math.round(ms / 100) / 10;
  const name = (id: string): string => run.variants.find((v) => v.id === id)?.operators.join('+') ?? id;
  const fidelity: ZooStudyRow['fidelity'] =
    labelFree && model.labelFree
      ? {
          metric: String(run.report.accuracyMetric ?? run.accuracy[0]?.metric ?? 'none'),
          constraints: model.labelFree.constraints,
          dataset: { source: model.labelFree.source, images: model.labelFree.images, labelled: labelFree.labelled },
          variants: run.accuracy.map((a) => {
            const rec = run.recommendations.find((r) => r.variantId === a.variantId);
            return {
              variant: name(a.variantId),
              value: Number(a.value.toFixed(3)),
              ciLow: a.ciLow === null ? null : Number(a.ciLow.toFixed(3)),
              ciHigh: a.ciHigh === null ? null : Number(a.ciHigh.toFixed(3)),
              n: a.n,
              drop: typeof rec?.details?.accuracyDrop === 'number' ? Number(rec.details.accuracyDrop.toFixed(3)) : null,
              feasible: Boolean(rec?.feasible),
              rank: typeof rec?.rank === 'number' ? rec.rank : null,
            };
          }),
        }
      : undefined;
  return {
    model: model.id,
    studyId: run.study.id as string,
    spec,
    withoutSpec,
    status: run.study.status,
    error: run.study.error ?? null,
    wallSeconds: seconds(run.observedDoneAt - started),
    tiers: run.study.tiers as string[],
    scenarios: run.study.scenarios as string[],
    variants: run.variants.map((v) => ({
      operators: v.operators,
      status: v.status,
      error: v.error,
      inputShapes: v.inputShapes,
      buildSeconds: v.buildWallMs === null ? null : Math.round(v.buildWallMs / 100) / 10,
      failedBuildMs: Math.round(v.failedAttempts.reduce((a, b) => a + b.wallMs, 0)),
    })),
    measurements: run.measurements.map((m) => ({
      variant: name(m.variantId),
      tier: m.tier,
      part: m.part,
      p50Ms: Number(Number(m.p50Ms).toPrecision(3)),
      inputShapes: m.inputShapes,
    })),
    recommendation: run.recommendations[0] ? `${name(run.recommendations[0].variantId)} on ${run.recommendations[0].scenario}` : null,
    effort: base.effort,
    timing: {
      timeToRecommendationS: seconds(time.timeToRecommendationMs),
      childS: seconds(time.child.totalMs),
      ratio: Number(time.ratio.toFixed(2)),
      unionChildS: seconds(time.unionChildMs),
      runners: time.child.runners,
      builds: time.child.builds,
      failedBuilds: time.child.failedBuilds,
      failedBuildS: seconds(time.child.failedBuildMs),
      evaluations: time.child.evaluations,
    },
    ...(labelFree && model.labelFree
      ? {
          task: {
            guessed: `${uploaded.body.task}${uploaded.body.taskGuessed ? ' (guessed)' : ''}`,
            declared: model.labelFree.task,
            postprocess: labelFree.postprocess,
          },
          fidelity,
        }
      : {}),
    measuredAt: new Date().toISOString(),
  };
}

export function studyTable(rows: ZooStudyRow[]): string {
  const lines = [
    'model            status     wall s  no spec               variants (built / refused)                         p50 ms (whole, per tier)',
  ];
  for (const r of rows) {
    const built = r.variants.filter((v) => v.status === 'ready').map((v) => v.operators.join('+'));
    const refused = r.variants
      .filter((v) => v.status !== 'ready')
      .map((v) => `${v.operators.join('+')}: ${(v.error ?? v.status).split(':')[0]}`);
    const p50 = r.measurements
      .filter((m) => m.part === 'whole')
      .map((m) => `${m.variant}@${m.tier} ${m.p50Ms}`)
      .join(', ');
    lines.push(
      `${r.model.padEnd(16)} ${r.status.padEnd(10)} ${String(r.wallSeconds).padStart(6)}  ${(r.withoutSpec ? `${r.withoutSpec.status} ${r.withoutSpec.code}` : 'static shapes').padEnd(20)}  ${[built.join(', '), refused.join('; ')].filter(Boolean).join(' / ').slice(0, 50).padEnd(50)} ${p50}`,
    );
    if (r.fidelity)
      lines.push(
        `${''.padEnd(16)} ranked by ${r.fidelity.metric} (label-free, ${r.fidelity.dataset.images} images, ${JSON.stringify(r.fidelity.constraints)}): ${r.fidelity.variants
          .map(
            (v) =>
              `${v.variant} ${v.value.toFixed(2)} [${v.ciLow?.toFixed(2)}, ${v.ciHigh?.toFixed(2)}] ${v.rank ? `rank ${v.rank}` : 'infeasible'}`,
          )
          .join(', ')}`,
      );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const big = process.argv.includes('--big');
  const only = option('--only')?.split(',');
  const tiers = (option('--tiers') ?? 'edge').split(',');
  const scenarios = option('--scenarios')?.split(',') ?? tiers;
  const runs = Number(option('--runs') ?? 10);
  const { models: paths } = installZoo(big);
  const chosen = ZOO_MODELS.filter((m) => (big || m.ci) && (!only || only.includes(m.id)) && paths[m.id]);
  const resultPath = process.env.TIERWISE_ZOO_STUDY_RESULT ?? join(repoRoot(), 'bench/results/zoo-study.json');
  const previous = existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, 'utf8')) as { rows: ZooStudyRow[] }).rows : [];
  const rows: ZooStudyRow[] = previous.filter((r) => !chosen.some((m) => m.id === r.model));
  const save = (): void => {
    mkdirSync(dirname(resultPath), { recursive: true });
    rows.sort((a, b) => ZOO_MODELS.findIndex((m) => m.id === a.model) - ZOO_MODELS.findIndex((m) => m.id === b.model));
    writeFileSync(
      resultPath,
      `${JSON.stringify({ measuredAt: new Date().toISOString(), cpus: cpus().length, loadAverage1m: loadavg()[0], rows }, null, 2)}\n`,
    );
  };
  const stack = await startStack();
  try {
    for (const model of chosen) {
      process.stderr.write(`zoo study: ${model.id}… `);
      const row = await zooStudy(stack, model, paths[model.id], {
        tiers,
        scenarios,
        runs: model.ci ? runs : 5,
        timeoutMs: model.ci ? 15 * 60_000 : 90 * 60_000,
      });
      process.stderr.write(`${row.status} in ${row.wallSeconds} s\n`);
      rows.push(row);
      save();
    }
  } finally {
    await stack.close();
  }
  process.stdout.write(`${studyTable(rows)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
