import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { childExecArgv, repoRoot } from '../src/common/paths';
import { fixtures, isolateEnvironment, startApi, startWorker, type Api } from './support/harness';

isolateEnvironment();
const ALL_QUEUES = ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'];
const cliEntry = join(repoRoot(), __filename.endsWith('.ts') ? 'src/cli/main.ts' : 'dist/src/cli/main.js');
const model = (variant: string) => fixtures(`fashion-resnet/models/fashion-resnet-${variant}.onnx`);

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `tierwise` command in a child process; the api answers from this process meanwhile. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...childExecArgv(), cliEntry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port nothing listens on: one the OS just handed out and got back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tierwise study (CLI client against a running api)', () => {
  let api: Api;
  let worker: INestApplicationContext | undefined;
  let server: string;
  let key: string;
  const scratch = mkdtempSync(join(tmpdir(), 'tierwise-cli-'));

  before(async () => {
    api = await startApi();
    await api.app.listen(0, '127.0.0.1');
    server = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    ({ key } = await api.newTeam());
  });
  after(async () => {
    await worker?.close();
    await api.close();
  });

  // runs before any worker exists, so the study stays queued until the CLI cancels it
  test('cancel, and API errors print CODE: message with exit code 2', async () => {
    const uploaded = await api.http
      .post('/v1/models')
      .set({ Authorization: `Bearer ${key}` })
      .field('name', 'to-cancel')
      .attach('file', model('distilled'))
      .expect(201);
    const created = await api.http
      .post('/v1/studies')
      .set({ Authorization: `Bearer ${key}` })
      .send({ modelId: uploaded.body.id, scenarios: ['mobile'] })
      .expect(202);

    const cancelled = await cli(['study', 'cancel', created.body.id, '--server', server, '--json'], { TIERWISE_API_KEY: key });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(JSON.parse(cancelled.stdout).status, 'cancelled');

    const again = await cli(['study', 'cancel', created.body.id, '--server', server, '--key', key]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^STUDY_FINISHED: study .* already ended \(cancelled\)/m);

    const missing = await cli(['study', 'status', randomUUID(), '--server', server, '--key', key]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^STUDY_NOT_FOUND: no study /m);

    const notReady = await cli(['study', 'report', created.body.id, '--format', 'csv', '--server', server, '--key', key]);
    assert.equal(notReady.code, 2);
    assert.match(notReady.stderr, /^STUDY_NOT_READY: /m);

    const badKey = await cli(['study', 'status', created.body.id, '--server', server, '--key', 'tw_not_a_key']);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /^UNAUTHENTICATED: unknown API key/m);

    const closedPort = await freePort();
    const unreachable = await cli(['study', 'status', created.body.id, '--server', `http://127.0.0.1:${closedPort}`, '--key', key]);
    assert.equal(unreachable.code, 2);
    assert.match(
      unreachable.stderr,
      new RegExp(`^SERVER_UNREACHABLE: GET http://127\\.0\\.0\\.1:${closedPort}/v1/studies/\\S+: ECONNREFUSED`, 'm'),
    );

    const badVariant = await cli(['study', 'run', model('identity'), '--variant', 'student.onnx', '--server', server, '--key', key]);
    assert.equal(badVariant.code, 2);
    assert.match(badVariant.stderr, /^VARIANT_INVALID: --variant student\.onnx/m);
  });

  test('study run uploads, follows, prints the ranked table and saves the report; status and report read it back', async () => {
    worker = await startWorker({ queues: ALL_QUEUES });
    const reportPath = join(scratch, 'report.html');
    const run = await cli(
      [
        'study',
        'run',
        model('identity'),
        '--variant',
        `distilled=${model('distilled')}`,
        '--dataset',
        fixtures('fashion-resnet/eval-100'),
        '--preprocess',
        fixtures('fashion-resnet/preprocess.json'),
        '--max-drop',
        '1',
        '--scenarios',
        'mobile,edge',
        '--runs',
        '10',
        '--warmup',
        '2',
        '--server',
        server,
        '--report',
        reportPath,
      ],
      { TIERWISE_API_KEY: key },
    );
    assert.equal(run.code, 0, run.stderr);
    const id = /study ([0-9a-f-]{36}) submitted/.exec(run.stderr)?.[1];
    assert.ok(id, run.stderr);
    assert.match(run.stderr, new RegExp(`study ${id}: completed\\s+\\d+/\\d+ jobs\\s+100%`));

    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^rank\s+candidate\s+scenario\s+p50\s+p95\s+network\s+accuracy\s+drop\s+size\s+inputs\s+verdict$/);
    assert.ok(
      lines.some((line) => /^inputs A: \S+ \[1,1,32,32\] float32 dataset$/.test(line)),
      run.stdout,
    );
    const rows = lines.slice(2).filter((line) => /^(\d+|–)\s/.test(line));
    assert.ok(rows.length >= 4, run.stdout);
    assert.match(rows[0], /^1\s+\S+\s+(mobile|edge)\s+[\d.]+ ms\s/);
    assert.ok(
      rows.every((row) => /\s(mobile|edge)\s/.test(row)),
      'only the requested scenarios',
    );
    const sentence = lines.at(-1)!;
    assert.match(sentence, /^Recommendation: \w/);

    const status = await cli(['study', 'status', id, '--server', server, '--key', key, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const study = JSON.parse(status.stdout);
    assert.equal(study.status, 'completed');
    assert.deepEqual(study.scenarios, ['mobile', 'edge']);
    assert.equal(study.effort.runs, 10);
    assert.equal(study.constraints.maxAccuracyDrop, 1);
    assert.ok(study.datasetId, 'the folder was packed and uploaded as a dataset');
    assert.equal(sentence, `Recommendation: ${study.recommendation.explanation}`);

    assert.ok(existsSync(reportPath));
    const html = readFileSync(reportPath, 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<svg/);

    const csvPath = join(scratch, 'report.csv');
    const csv = await cli(['study', 'report', id, '--format', 'csv', '-o', csvPath, '--server', server, '--key', key]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.ok(readFileSync(csvPath, 'utf8').split('\n').length > rows.length);
    const json = await cli(['study', 'report', id, '--format', 'json', '--server', server, '--key', key]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.recommendation, study.recommendation.explanation);
    assert.ok(report.candidates.length >= rows.length);
  });

  test('study run --json prints one JSON object on stdout', async () => {
    const run = await cli([
      'study',
      'run',
      model('distilled'),
      '--scenarios',
      'mobile',
      '--operators',
      'identity',
      '--runs',
      '5',
      '--warmup',
      '1',
      '--budget-ms',
      '0.0001',
      '--server',
      server,
      '--key',
      key,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.study.status, 'completed');
    assert.equal(out.study.constraints.latencyBudgetMs, 0.0001);
    assert.equal(out.recommendations.length, 1);
    const [only] = out.recommendations;
    assert.equal(only.feasible, false, 'no model meets a 0.1 µs budget');
    assert.equal(only.violations[0].constraint, 'latencyBudgetMs');
  });
});
