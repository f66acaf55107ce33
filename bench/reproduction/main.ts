/**
 * Runs a full default study on each fixture family (teacher + uploaded distilled, QAT and pruned variants, the
 * larger evaluation split) and writes docs/REPRODUCTION.md: our medians beside the study's and a computed verdict
 * on each of its six findings. Raw figures go to bench/results/reproduction.json.
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/reproduction/main.js [--quick | --render-only]
 *      (--quick: eval-100 / test-100 and 50 runs, for a smoke run; --render-only: rewrite the document from the
 *      last bench/results/reproduction.json)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { runStudy, startStack, uploadFamily, type Family } from '../study/run-study';
import { renderDocument } from './document';
import { familyFigures, type FamilyFigures } from './figures';
import { judge } from './findings';

const quick = process.argv.includes('--quick');
/** Re-renders the document from bench/results/reproduction.json without running the studies again. */
const renderOnly = process.argv.includes('--render-only');
const FAMILIES: Array<{ family: Family; model: string; split: string }> = [
  { family: 'image', model: 'fashion-resnet', split: quick ? 'eval-100' : 'eval-1000' },
  { family: 'text', model: 'sentiment-bert', split: quick ? 'test-100' : 'test-600' },
];
const effort = quick ? { warmup: 10, runs: 50 } : { warmup: 10, runs: 100 };

async function runFamilies(): Promise<FamilyFigures[]> {
  const stack = await startStack();
  const figures: FamilyFigures[] = [];
  try {
    for (const { family, model, split } of FAMILIES) {
      const ids = await uploadFamily(stack.api, stack.auth, family, split);
      process.stderr.write(`${model}: study submitted (${split}, ${effort.runs} runs)\n`);
      const run = await runStudy(stack, { ...ids, effort });
      if (run.study.status !== 'completed')
        throw new Error(`${model} study ended ${run.study.status}: ${run.study.error} ${JSON.stringify(run.study.failures)}`);
      figures.push(familyFigures(family, model, split, run));
      process.stderr.write(`${model}: completed in ${((run.observedDoneAt - run.submittedAt) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await stack.close();
  }
  return figures;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const previous = renderOnly
    ? (JSON.parse(readFileSync(join(root, 'bench/results/reproduction.json'), 'utf8')) as { figures: FamilyFigures[]; measuredAt: string })
    : null;
  const figures = previous ? previous.figures : await runFamilies();
  const findings = judge(figures);
  const command = `npx tsc -p tsconfig.build.json && node dist/bench/reproduction/main.js${quick ? ' --quick' : ''}`;
  const meta = {
    command,
    host: `${cpus()[0]?.model} × ${cpus().length}`,
    measuredAt: previous?.measuredAt ?? new Date().toISOString(),
    effort: `${effort.warmup} warm-up + ${effort.runs} timed runs per (variant, tier)`,
  };
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs/REPRODUCTION.md'), renderDocument(figures, findings, meta));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/reproduction.json'), JSON.stringify({ ...meta, findings, figures }, null, 2) + '\n');
  console.log('finding                                                                      verdict');
  for (const f of findings) console.log(`${f.n}. ${f.claim.slice(0, 72).padEnd(74)} ${f.verdict}`);
  for (const f of figures) {
    console.log(`\n${f.model} (${f.split}, ${(f.wallMs / 1000).toFixed(1)} s): end-to-end p50 ms mobile / edge / cloud, accuracy %`);
    for (const v of f.variants) {
      console.log(
        `  ${v.chain.padEnd(16)} ${['mobile', 'edge', 'cloud'].map((s) => (v.scenarios[s]?.p50Ms.toFixed(3) ?? '–').padStart(8)).join(' ')}   ${v.accuracy?.toFixed(1) ?? '–'}`,
      );
    }
    for (const p of f.partitions)
      console.log(`  ${`${p.chain} ${p.scenario}`.padEnd(34)} ${p.cell.p50Ms.toFixed(3).padStart(8)}  cut ${p.cut} ${p.cutBytes} B`);
  }
  console.log('\nwrote docs/REPRODUCTION.md and bench/results/reproduction.json');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
