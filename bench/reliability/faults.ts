/**
 * The fault bench: `--rounds` studies under each fault of test/reliability/faults.ts (a killed api, tier worker and
 * job worker, a Redis restart, every Postgres connection dropped) and a few without one, on real processes. Prints
 * one row per fault: studies, completed, lost (not completed) and duplicated (measurements or accuracy rows beyond
 * one per job, webhook messages beyond one), webhook POSTs, 5xx seen by the polling client, crashes, worst study
 * seconds and the api's peak RSS (VmHWM).
 * Run (after npm run build): DATABASE_URL=... node dist/bench/reliability/faults.js [--rounds 3]
 *   → bench/results/reliability-faults.json
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { FAULTS, FaultDeployment, type Fault, type FaultOutcome } from '../../test/reliability/faults';

const rounds = process.argv.includes('--rounds') ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 3;

async function main() {
  const deployment = await FaultDeployment.start();
  const outcomes: FaultOutcome[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const fault of ['none', ...FAULTS] as Fault[]) {
        const outcome = await deployment.run(fault).catch((error: Error) => ({ fault, status: `error: ${error.message}` }) as FaultOutcome);
        outcomes.push(outcome);
        process.stderr.write(`${JSON.stringify(outcome)}\n`);
      }
    }
  } finally {
    await deployment.stop();
  }
  const lines = [
    '| fault | studies | completed | lost | duplicated | webhook POSTs | 5xx | crashes | worst s | api peak RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const fault of ['none', ...FAULTS] as Fault[]) {
    const rows = outcomes.filter((o) => o.fault === fault);
    const completed = rows.filter((o) => o.status === 'completed').length;
    const duplicated = rows.filter((o) => o.measurements > o.expectedMeasurements || o.accuracyRows > 1 || o.webhookMessages > 1).length;
    const sum = (f: (o: FaultOutcome) => number) => rows.reduce((s, o) => s + (f(o) || 0), 0);
    const max = (f: (o: FaultOutcome) => number) => Math.max(0, ...rows.map((o) => f(o) || 0));
    lines.push(
      `| ${fault} | ${rows.length} | ${completed} | ${rows.length - completed} | ${duplicated} | ${sum((o) => o.webhookPosts)} | ${sum((o) => o.responses5xx)} | ${sum((o) => o.crashes)} | ${max((o) => o.seconds)} | ${max((o) => o.peakApiRssMiB)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const dir = join(repoRoot(), 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'reliability-faults.json'), `${JSON.stringify({ rounds, outcomes }, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
