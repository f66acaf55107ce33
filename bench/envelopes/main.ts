/**
 * How well each envelope emulates a tier: a short model (image fixture teacher, ~0.8 ms) and a long one
 * (generated MatMul stack, >= 50 ms), 5 repeats per tier and method. Per cell: p50/p90/mean (tier ms), their
 * ratio to the unthrottled host (the raw pinned figures of the `scaled` runs: same cores, same threads), and
 * the coefficient of variation of p50 across repeats, and how much other work ran on the measuring cores.
 * Run: npx tsx bench/envelopes/main.ts [--repeats 5]   → bench/results/envelopes.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { measure, type MeasureResult } from '../../src/benchmark/runner';
import { coefficientOfVariation, mean, quantile } from '../../src/benchmark/stats';
import { TIER_NAMES } from '../../src/benchmark/tiers';
import { writeLongModel } from './long-model';

const repeats = process.argv.includes('--repeats') ? Number(process.argv[process.argv.indexOf('--repeats') + 1]) : 5;
const root = repoRoot();
const models = [
  {
    name: 'short: fashion-resnet-identity',
    path: join(root, 'test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx'),
    runs: 200,
    warmup: 20,
  },
  { name: 'long: 28×MatMul 256×1024', path: writeLongModel(join(tmpdir(), 'tierwise-bench-long-matmul-28.onnx')), runs: 25, warmup: 3 },
];
const methods = ['scaled', 'quota'] as const;
const median = (xs: number[]) => quantile(xs, 0.5);
/** Other processes may use at most this share of the measuring cores for a repeat to count as quiet. */
const QUIET = 0.1;

/** CV of p50 over the repeats the interference check calls quiet; shown beside, never instead of, the plain CV. */
function quietCv(results: MeasureResult[]): { quietCvP50: number | null; quietRepeats: number } {
  const quiet = results.filter((m) => (m.interference?.foreignCpuShare ?? 1) < QUIET).map((m) => m.p50);
  return { quietCvP50: quiet.length >= 2 ? coefficientOfVariation(quiet) : null, quietRepeats: quiet.length };
}

interface Cell {
  model: string;
  tier: string;
  method: string;
  slowdown: number;
  quotaCpus: number | null;
  enforced: string;
  p50: number;
  p90: number;
  mean: number;
  hostP50: number;
  hostP90: number;
  hostMean: number;
  ratioP50: number;
  ratioP90: number;
  ratioMean: number;
  cvP50: number;
  quietCvP50: number | null;
  quietRepeats: number;
  p50s: number[];
  foreignCpuShares: number[];
  warnings: string[];
}

async function main(): Promise<void> {
  const cells: Cell[] = [];
  for (const model of models) {
    for (const tier of TIER_NAMES) {
      const byMethod: Record<string, MeasureResult[]> = { scaled: [], quota: [] };
      for (let r = 0; r < repeats; r++) {
        for (const method of methods) {
          process.stderr.write(`${model.name} ${tier} ${method} repeat ${r + 1}/${repeats}\n`);
          byMethod[method]!.push(
            await measure({ modelPath: model.path, tier, method, runs: model.runs, warmup: model.warmup, timeoutMs: 600_000 }),
          );
        }
      }
      const host = byMethod.scaled!;
      const hostP50 = median(host.map((m) => m.raw.p50));
      const hostP90 = median(host.map((m) => m.raw.p90));
      const hostMean = median(host.map((m) => m.raw.mean));
      for (const method of methods) {
        const results = byMethod[method]!;
        const p50s = results.map((m) => m.p50);
        const e = results[0]!.envelope;
        const cell = {
          model: model.name,
          tier,
          method,
          slowdown: e.slowdown,
          quotaCpus: e.quotaCpus,
          enforced: `${e.method}: cores ${e.cores?.join(',') ?? '-'}, memory ${e.enforced.memory.mechanism}, quota ${e.enforced.cpuQuota.mechanism}`,
          p50: median(p50s),
          p90: median(results.map((m) => m.p90)),
          mean: median(results.map((m) => m.mean)),
          hostP50,
          hostP90,
          hostMean,
          ratioP50: 0,
          ratioP90: 0,
          ratioMean: 0,
          cvP50: coefficientOfVariation(p50s),
          p50s,
          foreignCpuShares: results.map((m) => m.interference?.foreignCpuShare ?? NaN),
          ...quietCv(results),
          warnings: [...new Set(results.flatMap((m) => m.warnings))],
        };
        cell.ratioP50 = cell.p50 / hostP50;
        cell.ratioP90 = cell.p90 / hostP90;
        cell.ratioMean = cell.mean / hostMean;
        cells.push(cell);
      }
    }
  }
  const agreement = TIER_NAMES.map((tier) => {
    const long = cells.filter((c) => c.model.startsWith('long') && c.tier === tier);
    const scaled = long.find((c) => c.method === 'scaled')!;
    const quota = long.find((c) => c.method === 'quota')!;
    return { tier, scaledMean: scaled.mean, quotaMean: quota.mean, quotaOverScaled: quota.mean / scaled.mean };
  });
  const out = {
    command: `npx tsx bench/envelopes/main.ts --repeats ${repeats}`,
    measuredAt: new Date().toISOString(),
    host: `${cpus()[0]?.model} × ${cpus().length}`,
    targets: { scaledCvP50: '<= 3 %', longQuotaVsScaledMean: 'within 10 %' },
    cells: cells.map(({ p50s, ...c }) => ({ ...c, p50s })),
    longModelMeanAgreement: agreement,
    scaledCvMax: Math.max(...cells.filter((c) => c.method === 'scaled').map((c) => c.cvP50)),
    quietScaledCvMax: Math.max(...cells.filter((c) => c.method === 'scaled' && c.quietCvP50 !== null).map((c) => c.quietCvP50!)),
    meanOfScaledCv: mean(cells.filter((c) => c.method === 'scaled').map((c) => c.cvP50)),
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/envelopes.json'), `${JSON.stringify(out, null, 2)}\n`);
  const f = (x: number, d = 3) => x.toFixed(d).padStart(9);
  process.stdout.write(
    `${'model'.padEnd(32)} ${'tier'.padEnd(7)} ${'method'.padEnd(7)} ${'s/quota'.padStart(7)} ${'p50'.padStart(9)} ${'p90'.padStart(9)} ${'mean'.padStart(9)} ${'×p50'.padStart(6)} ${'×p90'.padStart(6)} ${'×mean'.padStart(6)} ${'CV p50'.padStart(7)} ${'quiet CV'.padStart(12)}  other work on the cores, per repeat\n`,
  );
  for (const c of cells) {
    process.stdout.write(
      `${c.model.padEnd(32)} ${c.tier.padEnd(7)} ${c.method.padEnd(7)} ${String(c.method === 'quota' ? c.quotaCpus : c.slowdown).padStart(7)} ${f(c.p50)} ${f(c.p90)} ${f(c.mean)} ${c.ratioP50.toFixed(2).padStart(6)} ${c.ratioP90.toFixed(2).padStart(6)} ${c.ratioMean.toFixed(2).padStart(6)} ${`${(c.cvP50 * 100).toFixed(1)}%`.padStart(7)} ${`${c.quietCvP50 === null ? '-' : `${(c.quietCvP50 * 100).toFixed(1)}%`} (${c.quietRepeats}/${c.p50s.length})`.padStart(12)}  ${c.foreignCpuShares.map((x) => `${(x * 100).toFixed(0)}%`).join(' ')}\n`,
    );
  }
  for (const a of agreement) process.stdout.write(`long model, ${a.tier}: quota mean / scaled mean = ${a.quotaOverScaled.toFixed(3)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
