/**
 * The read-path bench: the api runs as a child pinned to one core (`taskset -c 1`, full logging as `tierwise serve`
 * runs it), seeded with a team, three fixture models and a completed study with a stored report; autocannon drives
 * each read route (REST and GraphQL) at 10 and 50 connections, interleaved, `--rounds` times, with the static page
 * `/` from the same process as the same-run ceiling. Prints route, rps, p50, p99 and ratio to the static page.
 * Run: npm run build && DATABASE_URL=... node dist/bench/api/main.js [--seconds 4] [--rounds 3] [--cpu-prof DIR] [--only ROUTE]
 *   → bench/results/api.json
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot } from '../../src/common/paths';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const seconds = Number(arg('--seconds', '4'));
const rounds = Number(arg('--rounds', '3'));
const cpuProf = arg('--cpu-prof', '');
const only = arg('--only', '');
const fixture = (path: string) => join(repoRoot(), 'test/fixtures', path);
const MODELS = [
  'sentiment-bert/models/sentiment-bert-identity.onnx',
  'fashion-resnet/models/fashion-resnet-identity.onnx',
  'sentiment-bert/models/sentiment-bert-identity.onnx',
];

interface Seeded {
  port: number;
  key: string;
  studyId: string;
  reportBytes: number;
}

/** Child mode: the api on its own, seeded, then serving until killed. */
async function serve(): Promise<void> {
  const { createApi } = await import('../../src/api/create-api');
  const { TeamsService } = await import('../../src/auth/teams.service');
  const { StudiesRepository } = await import('../../src/studies/studies.repository');
  const { advise, buildReport } = await import('../../src/advisor');
  const { bertStudy } = await import('../../src/advisor/testing/synthetic-study');
  const app = await createApi();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const { key, team } = await app.get(TeamsService).issueKey(`bench-${Date.now().toString(36)}`, 'bench');
  let modelId = '';
  for (const path of MODELS) {
    const form = new FormData();
    form.set('name', basename(path, '.onnx'));
    form.set('file', new Blob([readFileSync(fixture(path))]), basename(path));
    const res = await fetch(`http://127.0.0.1:${port}/v1/models`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}` },
      body: form,
    });
    if (res.status !== 201) throw new Error(`upload ${path}: ${res.status} ${await res.text()}`);
    modelId = ((await res.json()) as { id: string }).id;
  }
  const studies = app.get(StudiesRepository);
  const advice = advise(bertStudy());
  const report = buildReport(advice, { title: 'bench study', generatedAt: new Date().toISOString() });
  const recommended = advice.candidates.find((c) => c.id === advice.recommendedId);
  const recommendation = recommended
    ? { variantId: recommended.variantId, scenario: recommended.scenario, explanation: recommended.explanation }
    : null;
  let studyId = '';
  for (let i = 0; i < 3; i++) {
    const { study } = await studies.create({
      teamId: team.id,
      modelId,
      tiers: ['device', 'edge', 'cloud'],
      scenarios: ['device', 'edge', 'cloud'],
      operators: ['sptq'],
      constraints: {},
      network: { uplinkMbps: 10, downlinkMbps: 10, rttMs: 40 },
      effort: { warmup: 10, runs: 100 },
      queuePrefix: process.env.QUEUE_PREFIX ?? 'tierwise',
      jobsTotal: 4,
      variantIds: [],
    });
    await studies.completeProgress(study.id);
    await studies.finish(study.id, { status: 'completed', result: { recommendation, report } });
    studyId = study.id;
  }
  process.send!({ port, key, studyId, reportBytes: JSON.stringify(report).length } satisfies Seeded);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

interface Route {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: string;
  auth: boolean;
}

function routes(studyId: string): Route[] {
  const gql = (query: string) => JSON.stringify({ query });
  const studyFields = 'id status progress tiers scenarios recommendation { variantId scenario explanation } createdAt finishedAt';
  return [
    { name: 'GET / (static page)', path: '/', auth: false },
    { name: 'GET /v1/studies/:id', path: `/v1/studies/${studyId}`, auth: true },
    { name: 'GET /v1/studies', path: '/v1/studies', auth: true },
    { name: 'GET /v1/models', path: '/v1/models', auth: true },
    {
      name: 'graphql study(id)',
      method: 'POST',
      path: '/graphql',
      body: gql(`{ study(id: "${studyId}") { ${studyFields} } }`),
      auth: true,
    },
    {
      name: 'graphql studies',
      method: 'POST',
      path: '/graphql',
      body: gql(`{ studies { items { ${studyFields} } nextCursor } }`),
      auth: true,
    },
    {
      name: 'graphql models',
      method: 'POST',
      path: '/graphql',
      body: gql('{ models { items { id name task sha256 sizeBytes opset paramCount createdAt } nextCursor } }'),
      auth: true,
    },
  ];
}

interface Sample {
  route: string;
  connections: number;
  round: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

async function drive(port: number, key: string, route: Route, connections: number, duration: number): Promise<autocannon.Result> {
  const headers: Record<string, string> = {};
  if (route.auth) headers.authorization = `Bearer ${key}`;
  if (route.body) headers['content-type'] = 'application/json';
  return autocannon({
    url: `http://127.0.0.1:${port}${route.path}`,
    method: route.method ?? 'GET',
    headers,
    body: route.body,
    connections,
    duration,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const load = loadavg();
  const env = {
    ...process.env,
    BLOB_DIR: process.env.BLOB_DIR ?? mkdtempSync(join(tmpdir(), 'tierwise-bench-api-')),
    // The bench measures the read path, not the rate limit (test/reliability/rate-limits.test.ts does).
    RATE_LIMIT_REQUESTS: '100000000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'log',
  };
  const nodeArgs = cpuProf ? [`--cpu-prof`, `--cpu-prof-dir=${cpuProf}`] : [];
  const child: ChildProcess = spawn('taskset', ['-c', '1', process.execPath, ...nodeArgs, __filename, '--serve'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const seeded = await new Promise<Seeded>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Seeded));
    child.once('exit', (code) => reject(new Error(`api exited with ${code}`)));
  });
  const list = routes(seeded.studyId).filter((r, i) => i === 0 || !only || r.name.includes(only));
  // A warm-up pass so the first figures are not the JIT's.
  for (const route of list) await drive(seeded.port, seeded.key, route, 10, 1);
  const samples: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const connections of [10, 50]) {
      for (const route of list) {
        const r = await drive(seeded.port, seeded.key, route, connections, seconds);
        samples.push({
          route: route.name,
          connections,
          round,
          rps: r.requests.average,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
        });
      }
    }
  }
  const loadAfter = loadavg();
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  const rows = [];
  for (const connections of [10, 50]) {
    const ceiling = median(samples.filter((s) => s.connections === connections && s.route === list[0].name).map((s) => s.rps));
    for (const route of list) {
      const mine = samples.filter((s) => s.connections === connections && s.route === route.name);
      const rps = median(mine.map((s) => s.rps));
      rows.push({
        route: route.name,
        connections,
        rps: Math.round(rps),
        p50Ms: median(mine.map((s) => s.p50Ms)),
        p99Ms: median(mine.map((s) => s.p99Ms)),
        ratioToStatic: Number((rps / ceiling).toFixed(2)),
        errors: mine.reduce((a, s) => a + s.errors, 0),
        non2xx: mine.reduce((a, s) => a + s.non2xx, 0),
      });
    }
  }
  console.log(`load average before ${load.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`stored report ${seeded.reportBytes} bytes; ${rounds} rounds × ${seconds} s per route and connection count (medians)`);
  console.log('| route | conns | rps | p50 ms | p99 ms | ratio to / | errors | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.route} | ${r.connections} | ${r.rps} | ${r.p50Ms} | ${r.p99Ms} | ${r.ratioToStatic} | ${r.errors} | ${r.non2xx} |`);
  }
  const out = join(repoRoot(), 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'api.json'),
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        loadBefore: load,
        loadAfter,
        seconds,
        rounds,
        reportBytes: seeded.reportBytes,
        rows,
        samples,
      },
      null,
      2,
    ) + '\n',
  );
}

(process.argv.includes('--serve') ? serve() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
