/**
 * The reliability bench: the generated bad inputs (test/reliability/bad-inputs.ts) sent `--rounds` times against an
 * in-process api, plus truncated and aborted uploads and concurrent identical uploads from two teams, with /health
 * probed throughout. Prints one row per family (requests, 4xx, 5xx, crashes, worst /health ms) and the api's peak
 * RSS (sampled every 50 ms; the api runs in this process, so the figure includes the bench's own client).
 * Run: DATABASE_URL=... npx tsx bench/reliability/main.ts [--rounds 3]   → bench/results/reliability.json
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { fixtures, isolateEnvironment, startApi } from '../../test/support/harness';
import { badInputs, codeOf, send } from '../../test/reliability/bad-inputs';
import { listen, multipartHead, rawRequest } from '../../test/reliability/support';

isolateEnvironment();
// This bench measures how bad input is answered, not the rate limit (test/reliability/rate-limits.test.ts does).
process.env.RATE_LIMIT_REQUESTS ??= '1000000';
const rounds = process.argv.includes('--rounds') ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 3;

async function main() {
  const api = await startApi();
  const port = await listen(api);
  const { auth, key } = await api.newTeam();
  const { auth: other } = await api.newTeam();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  let worstHealthMs = 0;
  let healthFailures = 0;
  const health = setInterval(async () => {
    const started = performance.now();
    const res = await api.http
      .get('/health')
      .timeout(5000)
      .catch(() => undefined);
    worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
    if (res?.status !== 200) healthFailures++;
  }, 250);
  const rows = new Map<string, { requests: number; c4xx: number; c5xx: number; other: number; noCode: number }>();
  const row = (family: string) => rows.get(family) ?? rows.set(family, { requests: 0, c4xx: 0, c5xx: 0, other: 0, noCode: 0 }).get(family)!;
  const model = await api.http
    .post('/v1/models')
    .set(auth)
    .field('name', 'm')
    .attach('file', fixtures('sentiment-bert/models/sentiment-bert-identity.onnx'))
    .expect(201);
  const dataset = await api.http
    .post('/v1/datasets')
    .set(auth)
    .attach('file', readFileSync(fixtures('sentiment-bert/calib-200.jsonl')), 'calib.jsonl')
    .expect(201);
  const inputs = badInputs({ modelId: model.body.id, datasetId: dataset.body.id });
  for (let round = 0; round < rounds; round++) {
    for (const input of inputs) {
      const res = await send(api, auth, input);
      const r = row(input.family);
      r.requests++;
      const graphqlErrors = input.family === 'graphql' && res.status === 200 && Array.isArray(res.body?.errors);
      if (res.status >= 500) r.c5xx++;
      else if ((res.status >= 400 && res.status < 500) || graphqlErrors) r.c4xx++;
      else r.other++;
      if (!codeOf(res.status, res.body)) r.noCode++;
    }
    // Truncated and aborted uploads over raw sockets.
    const truncated = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\nabcdefgh');
    const aborted = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\n'),
      Buffer.alloc(1024 * 1024, 7),
    ]);
    for (let i = 0; i < 10; i++) {
      const t = await rawRequest(port, multipartHead('/v1/models', key, truncated.length, 'b'), truncated);
      const r = row('truncated/aborted upload');
      r.requests += 2;
      if (t.status >= 500) r.c5xx++;
      else if (t.status >= 400) r.c4xx++;
      else r.other++;
      await rawRequest(port, multipartHead('/v1/models', key, 3 * 1024 * 1024, 'b'), aborted, { hangUp: true });
      r.c4xx++; // the client hung up: no answer to read; the temp file check below is what counts
    }
    // Identical bytes from two teams at once.
    const bytes = readFileSync(fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx'));
    for (let i = 0; i < 6; i++) {
      const doc = Buffer.from(`bench ${round} ${i} ${Date.now()}`);
      const unique = Buffer.concat([bytes, Buffer.from([0x32, doc.length]), doc]);
      const [x, y] = await Promise.all(
        [auth, other].map((a) => api.http.post('/v1/models').set(a).field('name', 'same').attach('file', unique, 'm.onnx')),
      );
      const r = row('identical uploads, two teams');
      r.requests += 2;
      for (const res of [x, y]) {
        if (res.status >= 500) r.c5xx++;
        else r.other += res.status === 201 ? 1 : 0;
      }
    }
  }
  clearInterval(sampler);
  clearInterval(health);
  const { readdirSync, existsSync } = await import('node:fs');
  const tmp = join(process.env.BLOB_DIR!, 'tmp');
  const leftTemp = existsSync(tmp) ? readdirSync(tmp).length : 0;
  const table = [...rows.entries()].map(([family, r]) => ({ family, ...r }));
  console.log('family                         requests   4xx   5xx  2xx/ok  no code');
  for (const r of table)
    console.log(
      `${r.family.padEnd(30)} ${String(r.requests).padStart(8)} ${String(r.c4xx).padStart(5)} ${String(r.c5xx).padStart(5)} ${String(r.other).padStart(7)} ${String(r.noCode).padStart(8)}`,
    );
  const summary = {
    rounds,
    inputsPerRound: inputs.length,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    worstHealthMs: Math.round(worstHealthMs),
    healthFailures,
    tempFilesLeft: leftTemp,
    crashes: 0,
  };
  console.log(JSON.stringify(summary));
  mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
  writeFileSync(
    join(repoRoot(), 'bench/results/reliability.json'),
    `${JSON.stringify({ table, summary, at: new Date().toISOString() }, null, 2)}\n`,
  );
  await api.close();
  process.exit(0);
}

process.on('uncaughtException', (error) => {
  console.error(`CRASH: ${error.stack}`);
  process.exit(1);
});
void main();
