/**
 * Times a full default study of the image family (teacher + distilled, qat and pruned uploads, eval split,
 * default operators and scenarios) from POST /v1/studies to completed, with the api and one worker consuming
 * every queue in this process, and compares it with the summed child-process time (runner wall times + build
 * child times + evaluation child times). Targets (issue 5): <= 5 min on 2 cores, ratio <= 1.3.
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/study/main.js [--runs 50] [--split eval-100]
 *      → bench/results/study.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { describeModel } from '../../src/onnx/describe';
import { PrismaService } from '../../src/prisma/prisma.service';
import { StudyDatasets } from '../../src/studies/study-datasets';
import { fixtures } from '../../test/support/harness';
import { chainName, runStudy, startStack, uploadFamily, type Stack } from './run-study';
import { breakdown, type Breakdown } from './timeline';

const flag = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const runs = Number(flag('--runs', '50'));
const split = flag('--split', 'eval-100');
const TARGET_MS = 5 * 60_000;
const TARGET_RATIO = 1.3;

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pad = (x: unknown, n: number) => String(x).padEnd(n);
const lpad = (x: unknown, n: number) => String(x).padStart(n);

function print(b: Breakdown): void {
  const c = b.child;
  console.log('\nfull default study, image family (fashion-resnet + distilled, qat, pruned), ' + `${split}, runs ${runs}`);
  console.log(
    `  time to recommendation (POST → completed seen)   ${lpad(s(b.timeToRecommendationMs), 9)}   target <= ${s(TARGET_MS)}  ${b.timeToRecommendationMs <= TARGET_MS ? 'MET' : 'MISSED'}`,
  );
  console.log(`  server createdAt → finishedAt                     ${lpad(s(b.serverMs), 9)}`);
  console.log(`  runner children  (${lpad(c.runners, 2)}, Σ envelope.wallMs)          ${lpad(s(c.runnerMs), 9)}`);
  console.log(`  build children   (${lpad(c.builds, 2)}, Σ report.buildWallMs)       ${lpad(s(c.buildMs), 9)}`);
  console.log(`  failed builds    (${lpad(c.failedBuilds, 2)}, Σ report.failedAttempts)   ${lpad(s(c.failedBuildMs), 9)}`);
  console.log(`  evaluate children(${lpad(c.evaluations, 2)}, Σ payload.durationMs)      ${lpad(s(c.evaluateMs), 9)}`);
  console.log(`  Σ child time                                      ${lpad(s(c.totalMs), 9)}`);
  console.log(
    `  ratio time-to-recommendation / Σ child            ${lpad(b.ratio.toFixed(2), 9)}   target <= ${TARGET_RATIO}  ${b.ratio <= TARGET_RATIO ? 'MET' : 'MISSED'}`,
  );
  console.log(`  union of child intervals (some run in parallel)   ${lpad(s(b.unionChildMs), 9)}   overlap gain ${s(b.overlapGainMs)}`);
  console.log(
    `  time with no child process running                ${lpad(s(b.noChildMs), 9)}   (${((100 * b.noChildMs) / b.timeToRecommendationMs).toFixed(0)}% of the wall)`,
  );
  console.log(
    `  POST → first job created ${s(b.submitToFirstJobMs)}; advise job ${s(b.adviseMs)}; last job → completed seen ${s(b.lastJobToObservedMs)}`,
  );
  console.log('\n  phase       jobs   window   Σ child  Σ job-active  Σ queue-wait  Σ in-job non-child');
  for (const p of b.phases) {
    console.log(
      `  ${pad(p.phase, 10)} ${lpad(p.jobs, 4)} ${lpad(s(p.windowMs), 8)} ${lpad(s(p.childMs), 9)} ${lpad(s(p.jobActiveMs), 13)} ${lpad(s(p.queueWaitMs), 13)} ${lpad(s(p.inJobNonChildMs), 19)}`,
    );
  }
  console.log('\n  transition            parent pickup  parent run  next pickup  dead (no child)');
  for (const t of b.transitions)
    console.log(
      `  ${pad(`${t.from} → ${t.to}`, 22)} ${lpad(`${t.parentPickupMs} ms`, 13)} ${lpad(`${t.parentRunMs} ms`, 11)} ${lpad(`${t.nextPickupMs} ms`, 12)} ${lpad(`${t.deadMs} ms`, 16)}`,
    );
  const r = b.runner;
  console.log(
    `\n  runner wall split: timed runs ${s(r.timedMs)}, warm-up ≈ ${s(r.warmupMs)}, cold start (session+first run) ${s(r.coldStartMs)}, ` +
      `rest (process start-up, ORT load, checksum, exit) ${s(r.restMs)} = ${r.perChildRestMs.toFixed(0)} ms per child`,
  );
  console.log(`  bench jobs outside their runner child (core-lock waits, dataset extraction, samples file, DB): ${s(r.lockOrWaitInJobMs)}`);
  console.log(
    `  evaluate jobs: active ${s(b.evaluate.jobActiveMs)}, in-child measured ${s(b.evaluate.childMeasuredMs)}, child start-up + dataset extraction + DB ${s(b.evaluate.startupAndDatasetMs)}`,
  );
  console.log('\n  largest gaps with no child process running:');
  for (const g of b.gaps.slice(0, 8)) console.log(`    ${lpad(`${g.ms} ms`, 9)}  after ${g.after}  →  before ${g.before}`);
}

/**
 * What each bench and evaluate job pays before its child starts: the study's dataset archive extracted again
 * (StudyDatasets.open) and, for a bench job, 16 samples preprocessed into a samples file; timed in this process.
 */
async function datasetOpenCost(
  stack: Stack,
  studyId: string,
  datasetId: string,
): Promise<{ openCloseMs: number; samplesFileMs: number; rounds: number }> {
  const study = await stack.api.app.get(PrismaService).study.findUniqueOrThrow({ where: { id: studyId } });
  const datasets = stack.worker.get(StudyDatasets);
  const inputs = describeModel(readFileSync(fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))).inputs;
  const rounds = 5;
  let openCloseMs = 0;
  let samplesFileMs = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const opened = await datasets.open(study.teamId, datasetId);
    const t1 = performance.now();
    await opened.samplesFile(16, inputs);
    const t2 = performance.now();
    await opened.close();
    openCloseMs += t1 - t0 + (performance.now() - t2);
    samplesFileMs += t2 - t1;
  }
  return { openCloseMs: openCloseMs / rounds, samplesFileMs: samplesFileMs / rounds, rounds };
}

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const ids = await uploadFamily(stack.api, stack.auth, 'image', split);
    const body = { ...ids, constraints: { maxAccuracyDrop: 1 }, effort: { runs } };
    process.stderr.write(`submitting ${JSON.stringify(body)}\n`);
    const run = await runStudy(stack, body);
    if (run.study.status !== 'completed')
      throw new Error(`study ended ${run.study.status}: ${run.study.error} ${JSON.stringify(run.study.failures)}`);
    const b = breakdown(run);
    print(b);
    const dataset = await datasetOpenCost(stack, run.study.id, ids.datasetId);
    const benchWithDataset = run.measurements.filter((m) => m.part !== 'tail').length;
    console.log(
      `  dataset per job (measured here, ${dataset.rounds} rounds): extract + remove ${dataset.openCloseMs.toFixed(0)} ms, 16-sample file ${dataset.samplesFileMs.toFixed(0)} ms; ` +
        `× ${benchWithDataset} bench jobs ≈ ${s(benchWithDataset * (dataset.openCloseMs + dataset.samplesFileMs))}, × ${run.accuracy.length} evaluate + ${b.child.builds} build jobs ≈ ${s((run.accuracy.length + b.child.builds) * dataset.openCloseMs)}`,
    );
    console.log('\n  rank  candidate                     p50 e2e ms   acc %  feasible');
    for (const rec of run.recommendations.slice(0, 12)) {
      console.log(
        `  ${lpad(rec.rank ?? '-', 4)}  ${pad(rec.details.shortName, 28)} ${lpad(Number(rec.latencyMs).toFixed(3), 11)} ${lpad(rec.accuracy?.toFixed(1) ?? '-', 7)}  ${rec.feasible}`,
      );
    }
    console.log(`  recommendation: ${run.study.recommendation?.explanation}`);
    const out = {
      command: `npx tsc -p tsconfig.build.json && node dist/bench/study/main.js --runs ${runs} --split ${split}`,
      measuredAt: new Date().toISOString(),
      host: `${cpus()[0]?.model} × ${cpus().length}`,
      request: body,
      targets: { timeToRecommendationMs: TARGET_MS, ratio: TARGET_RATIO },
      met: { time: b.timeToRecommendationMs <= TARGET_MS, ratio: b.ratio <= TARGET_RATIO },
      breakdown: b,
      datasetPerJob: dataset,
      failures: run.study.failures,
      recommendation: run.study.recommendation,
      statusTrail: run.statusTrail.map((t) => ({ ...t, atMs: t.at - run.submittedAt })),
      variants: run.variants.map((v) => ({
        chain: chainName(v.operators),
        origin: v.origin,
        sizeBytes: v.sizeBytes,
        buildWallMs: v.buildWallMs,
      })),
      jobs: run.jobs.map((j) => ({
        ...j,
        createdAt: j.createdAt - run.submittedAt,
        startedAt: j.startedAt - run.submittedAt,
        finishedAt: j.finishedAt - run.submittedAt,
      })),
    };
    mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
    writeFileSync(join(repoRoot(), 'bench/results/study.json'), JSON.stringify(out, null, 2) + '\n');
    console.log('\nwrote bench/results/study.json');
  } finally {
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
