/**
 * Does the runner add latency? Its raw p50 (child process, cgroup, pinning, JSON) against a bare
 * onnxruntime-node loop with identical session options (1 intra-op thread, 'all', cpu EP) pinned to the same
 * core, on every fixture model, interleaved round by round in the same run. Target: runner / bare <= 1.03.
 * Run: npx tsx bench/harness-overhead/main.ts [--rounds 3] [--runs 200]   → bench/results/harness-overhead.json
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { childExecArgv, repoRoot } from '../../src/common/paths';
import { detectCapabilities } from '../../src/isolation/cgroups';
import { measure } from '../../src/benchmark/runner';
import { quantile } from '../../src/benchmark/stats';

const arg = (flag: string, fallback: number) => Number(process.argv[process.argv.indexOf(flag) + 1] || fallback);
const rounds = process.argv.includes('--rounds') ? arg('--rounds', 3) : 3;
const runs = process.argv.includes('--runs') ? arg('--runs', 200) : 200;
const warmup = 20;
const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'test/fixtures/manifest.json'), 'utf8')) as { models: Array<{ path: string }> };

function fixtureModels(): string[] {
  return manifest.models.map((m) => join(root, 'test/fixtures', m.path));
}

function bareP50(model: string, core: number): number {
  const node = [process.execPath, ...childExecArgv(), join(__dirname, 'bare-loop.ts'), model, String(warmup), String(runs), '1'];
  const argv = detectCapabilities().taskset ? ['taskset', '-c', String(core), ...node] : node;
  const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bare loop failed on ${model}: ${run.stderr}`);
  return quantile(JSON.parse(run.stdout.trim().split('\n').pop()!) as number[], 0.5);
}

async function main(): Promise<void> {
  const rows = [];
  for (const model of fixtureModels()) {
    const runner: number[] = [];
    const bare: number[] = [];
    let core = 0;
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`${model} round ${r + 1}/${rounds}\n`);
      const m = await measure({ modelPath: model, tier: 'edge', tierOverride: { threads: 1, cpus: 1 }, runs, warmup });
      core = m.envelope.cores?.[0] ?? 0;
      runner.push(m.raw.p50);
      bare.push(bareP50(model, core));
    }
    const runnerP50 = quantile(runner, 0.5);
    const bareMedian = quantile(bare, 0.5);
    rows.push({
      model: model.slice(root.length + 1),
      core,
      runnerP50,
      bareP50: bareMedian,
      ratio: runnerP50 / bareMedian,
      runnerRounds: runner,
      bareRounds: bare,
    });
  }
  const out = {
    command: `npx tsx bench/harness-overhead/main.ts --rounds ${rounds} --runs ${runs}`,
    measuredAt: new Date().toISOString(),
    host: `${cpus()[0]?.model} × ${cpus().length}`,
    method: `median over ${rounds} interleaved rounds of each side's p50 (${runs} runs after ${warmup} warm-up, 1 intra-op thread, same pinned core)`,
    target: 'ratio <= 1.03',
    rows,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/harness-overhead.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${'model'.padEnd(58)} ${'runner p50'.padStart(11)} ${'bare p50'.padStart(10)} ${'ratio'.padStart(7)}\n`);
  for (const r of rows)
    process.stdout.write(
      `${r.model.padEnd(58)} ${r.runnerP50.toFixed(4).padStart(11)} ${r.bareP50.toFixed(4).padStart(10)} ${r.ratio.toFixed(3).padStart(7)}\n`,
    );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
