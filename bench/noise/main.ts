/**
 * Honest under noise (issue 14): the same study twice, quiet and with a CPU hog (a busy loop pinned with taskset to
 * the mobile/edge measuring core) started once half of the study's measurements are stored. Prints both
 * recommendations, every measurement that was retaken or stayed noisy, and whether the recommendations match.
 * The hog runs for --hog-seconds (default 10; 0 = until the study ends), so retakes can land after it.
 * Run: npx tsc -p tsconfig.build.json && nice -n 10 node dist/bench/noise/main.js [--runs 50] [--hog-seconds 10]
 *      → bench/results/noise.json
 * On a shared host the "quiet" run is only as quiet as the host: its own foreign shares are printed too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { resolveTier } from '../../src/benchmark/tiers';
import { repoRoot } from '../../src/common/paths';
import { allowedCores } from '../../src/isolation/cgroups';
import { assignCores } from '../../src/isolation/core-lock';
import { PrismaService } from '../../src/prisma/prisma.service';
import { runStudy, startStack, uploadFamily, type Stack, type StudyRun } from '../study/run-study';

// The product's default policy (the test harness turns retakes off for speed; this bench is about them).
process.env.NOISE_MAX_RETAKES ??= '3';
// The study poller asks every 50 ms; two long studies would pass the default per-key limit.
process.env.RATE_LIMIT_REQUESTS ??= '1000000';
const flag = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const runs = Number(flag('--runs', '50'));
const hogSeconds = Number(flag('--hog-seconds', '10'));
const TIERS = ['mobile', 'edge', 'cloud'];
const OPERATORS = ['identity', 'distilled', 'sptq'];

interface Row {
  candidate: string;
  tier: string;
  p50Ms: number;
  foreignCpuShare: number | null;
  retakes: number;
  noisy: boolean;
  stopReason: string;
  attemptShares: Array<number | null>;
}

function rows(run: StudyRun): Row[] {
  const names = new Map(run.variants.map((v) => [v.id, v.operators.join('+')]));
  return run.measurements.map((m) => ({
    candidate: names.get(m.variantId) ?? m.variantId.slice(0, 8),
    tier: m.tier,
    p50Ms: m.p50Ms,
    foreignCpuShare: m.foreignCpuShare,
    retakes: m.retakes,
    noisy: m.noisy,
    stopReason: m.stopReason,
    attemptShares: m.envelope?.noise?.attemptShares ?? [],
  }));
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`);

function printRun(label: string, run: StudyRun): void {
  const top = run.study.recommendation;
  const name = (id: string) => run.variants.find((v) => v.id === id)?.operators.join('+') ?? id;
  console.log(`\n${label}: recommendation ${top ? `${name(top.variantId)} on ${top.scenario}` : 'none'}`);
  console.log(`  ${top?.explanation ?? ''}`);
  console.log('  candidate        tier     p50 ms   share  retakes  noisy  attempts');
  for (const r of rows(run))
    console.log(
      `  ${r.candidate.padEnd(16)} ${r.tier.padEnd(7)} ${r.p50Ms.toFixed(3).padStart(8)}  ${pct(r.foreignCpuShare).padStart(5)}  ${String(r.retakes).padStart(7)}  ${(r.noisy ? 'yes' : '').padEnd(5)}  ${r.attemptShares.map(pct).join(' ')}`,
    );
  console.log('  ranking:');
  for (const rec of run.recommendations.filter((x) => x.feasible))
    console.log(
      `    ${String(rec.rank).padStart(2)}  ${String(rec.details?.shortName ?? '').padEnd(22)} ${Number(rec.latencyMs).toFixed(3).padStart(9)} ms${rec.details?.noisyShare ? `  noisy ${pct(rec.details.noisyShare)}` : ''}`,
    );
}

function startHog(core: number): ChildProcess {
  return spawn('taskset', ['-c', String(core), process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' });
}

async function hoggedStudy(stack: Stack, body: Record<string, unknown>, core: number, expected: number) {
  const prisma = stack.api.app.get(PrismaService);
  const since = new Date();
  let hog: ChildProcess | undefined;
  let hogStartedAt: string | null = null;
  let hogStoppedAt: string | null = null;
  let stopTimer: NodeJS.Timeout | undefined;
  const stopHog = () => {
    if (hog && hog.exitCode === null && hog.signalCode === null) {
      hog.kill('SIGKILL');
      hogStoppedAt = new Date().toISOString();
    }
  };
  let measuredAtStart = 0;
  const watcher = setInterval(() => {
    void (async () => {
      if (hog) return;
      const study = await prisma.study.findFirst({ where: { createdAt: { gte: since } }, select: { id: true } });
      const count = study ? await prisma.measurement.count({ where: { studyId: study.id } }) : 0;
      if (count >= Math.floor(expected / 2) && !hog) {
        measuredAtStart = count;
        hog = startHog(core);
        hogStartedAt = new Date().toISOString();
        process.stderr.write(`hog started on core ${core} after ${count}/${expected} measurements\n`);
        if (hogSeconds > 0) stopTimer = setTimeout(stopHog, hogSeconds * 1000);
      }
    })();
  }, 100);
  try {
    const run = await runStudy(stack, body);
    return {
      run,
      hog: {
        core,
        startedAt: hogStartedAt,
        stoppedAt: hogStoppedAt ?? new Date().toISOString(),
        seconds: hogSeconds || null,
        measuredAtStart,
      },
    };
  } finally {
    clearInterval(watcher);
    if (stopTimer) clearTimeout(stopTimer);
    stopHog();
  }
}

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const ids = await uploadFamily(stack.api, stack.auth, 'image', 'eval-100', ['distilled']);
    const body = { ...ids, tiers: TIERS, scenarios: TIERS, operators: OPERATORS, effort: { warmup: 10, runs } };
    const core = assignCores(resolveTier('mobile').threads, allowedCores()).cores[0]!;
    process.stderr.write('quiet study…\n');
    const loadBefore = loadavg();
    const quiet = await runStudy(stack, body);
    process.stderr.write('hogged study…\n');
    const hogged = await hoggedStudy(stack, body, core, quiet.measurements.length);
    const key = (run: StudyRun) => `${run.study.recommendation?.variantId}@${run.study.recommendation?.scenario}`;
    const match = key(quiet) === key(hogged.run);
    printRun('quiet', quiet);
    printRun(
      `hogged (busy loop on core ${core} from ${hogged.hog.measuredAtStart} stored measurements, ${hogSeconds || 'until the end'} s)`,
      hogged.run,
    );
    const affected = rows(hogged.run).filter((r) => r.retakes > 0 || r.noisy);
    console.log(`\nretaken or flagged in the hogged run: ${affected.length}; recommendations ${match ? 'MATCH' : 'DIFFER'}`);
    const out = {
      command: `node dist/bench/noise/main.js --runs ${runs} --hog-seconds ${hogSeconds}`,
      host: { cores: cpus().length, cpuModel: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
      policy: { threshold: Number(process.env.NOISE_THRESHOLD ?? 0.1), maxRetakes: Number(process.env.NOISE_MAX_RETAKES ?? 3) },
      study: { tiers: TIERS, operators: OPERATORS, runs },
      quiet: { recommendation: quiet.study.recommendation, measurements: rows(quiet), ranking: quiet.recommendations.map(brief) },
      hogged: {
        hog: hogged.hog,
        recommendation: hogged.run.study.recommendation,
        measurements: rows(hogged.run),
        ranking: hogged.run.recommendations.map(brief),
      },
      affected,
      match,
      measuredAt: new Date().toISOString(),
    };
    mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
    writeFileSync(join(repoRoot(), 'bench/results/noise.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log('wrote bench/results/noise.json');
  } finally {
    await stack.close();
  }
}

function brief(rec: Record<string, any>) {
  return { rank: rec.rank, candidate: rec.details?.shortName, p50Ms: rec.latencyMs, noisyShare: rec.details?.noisyShare ?? null };
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
