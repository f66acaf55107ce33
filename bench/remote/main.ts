/**
 * A tier's measurement taken by a local pool (on Postgres and Redis) and by a remote worker (over HTTP, its own
 * empty blob cache), one after the other on this machine, for the same variant and effort: does the remote path
 * change the figure, and what does it add to a study's wall time? Prints a table and writes
 * bench/results/remote-worker.json.
 * Run: npx tsc -p tsconfig.build.json && nice -n 10 node dist/bench/remote/main.js [--runs 100] [--repeats 2]
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TeamsService } from '../../src/auth/teams.service';
import { repoRoot } from '../../src/common/paths';
import { RemoteWorkerHost } from '../../src/remote-workers/client/remote-worker-host';
import { RemoteWorkerModule } from '../../src/remote-workers/client/remote-worker.module';
import { isolateEnvironment, startApi, startWorker } from '../../test/support/harness';
import { uploadImageFamily, waitForStudy } from '../../test/support/studies';

const flag = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const runs = Number(flag('--runs', '100'));
const repeats = Number(flag('--repeats', '2'));

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    total += stat.isDirectory() ? dirBytes(path) : stat.size;
  }
  return total;
}

async function main(): Promise<void> {
  isolateEnvironment();
  process.env.LOG_LEVEL = 'error';
  const api = await startApi();
  await api.app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  const jobs = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook'] });
  const { auth } = await api.newTeam();
  const ids = await uploadImageFamily(api, auth, []);
  const token = (await api.app.get(TeamsService).issueKey('default', 'bench', undefined, { kind: 'worker', tiers: ['mobile'] })).key;
  const rows: Array<{ path: string; repeat: number; p50Ms: number; p90Ms: number; rawP50Ms: number; wallMs: number; blobBytes?: number }> =
    [];

  const study = async (path: string, repeat: number, blobBytes?: () => number) => {
    const started = Date.now();
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 5, runs } })
      .expect(202);
    const done = await waitForStudy(api, auth, created.body.id);
    if (done.status !== 'completed') throw new Error(`study ${path} ended ${done.status}: ${JSON.stringify(done.failures)}`);
    const wallMs = Date.now() - started;
    const m = (await api.http.get(`/v1/studies/${created.body.id}/measurements`).set(auth).expect(200)).body as Array<{
      tier: string;
      p50Ms: number;
      p90Ms: number;
      envelope: { raw?: { p50?: number } };
    }>;
    const mobile = m.find((x) => x.tier === 'mobile')!;
    rows.push({
      path,
      repeat,
      p50Ms: mobile.p50Ms,
      p90Ms: mobile.p90Ms,
      rawP50Ms: mobile.envelope.raw?.p50 ?? NaN,
      wallMs,
      blobBytes: blobBytes?.(),
    });
  };

  for (let r = 0; r < repeats; r++) {
    const local = await startWorker({ queues: ['bench-mobile'] });
    await study('local (Postgres + Redis)', r);
    await local.close();
    const blobDir = mkdtempSync(join(tmpdir(), 'tierwise-bench-remote-'));
    const remote = await NestFactory.createApplicationContext(RemoteWorkerModule.create({ api: url, token, blobDir }), { logger: false });
    await remote.get(RemoteWorkerHost).start({ tier: 'mobile', envelopeMethod: 'scaled', pollMs: 2000 });
    await study('remote (HTTP, empty cache)', r, () => dirBytes(blobDir));
    await remote.close();
  }
  await jobs.close();
  await api.close();

  const header = `${'path'.padEnd(28)} ${'#'.padStart(2)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'raw p50'.padStart(8)} ${'study s'.padStart(8)} ${'fetched'.padStart(10)}`;
  process.stdout.write(`fashion-resnet identity on mobile, ${runs} runs; ${cpus().length} cores (${cpus()[0]?.model})\n${header}\n`);
  for (const row of rows)
    process.stdout.write(
      `${row.path.padEnd(28)} ${String(row.repeat).padStart(2)} ${row.p50Ms.toFixed(3).padStart(8)} ${row.p90Ms.toFixed(3).padStart(8)} ${row.rawP50Ms.toFixed(3).padStart(8)} ${(row.wallMs / 1000).toFixed(1).padStart(8)} ${(row.blobBytes === undefined ? '-' : `${(row.blobBytes / 1e6).toFixed(2)} MB`).padStart(10)}\n`,
    );
  const out = join(repoRoot(), 'bench/results/remote-worker.json');
  mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), runs, host: { cores: cpus().length, cpu: cpus()[0]?.model }, rows }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${out}\n`);
  process.exit(0);
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
