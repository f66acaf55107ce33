/**
 * The fault harness for test/reliability/faults.test.ts and bench/reliability/faults.ts: a deployment of real
 * processes (`tierwise serve`, a job worker on build/evaluate/advise/webhook, a tier worker for `edge`) on a Redis
 * this harness owns (its own port, no persistence) and the test database, with a webhook receiver. Each fault
 * kills or restarts one piece in the middle of a study; the study must still complete, with one measurement per
 * job, one accuracy row per variant, one webhook message, no 5xx to the polling client, and the api's peak RSS
 * (VmHWM of the api processes) is reported.
 */
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import * as tar from 'tar';
import { repoRoot } from '../../src/common/paths';
import { isTerminal } from '../../src/studies/study-status';
import { fixtures } from '../support/harness';

export type Fault = 'api-killed' | 'tier-worker-killed' | 'job-worker-killed' | 'redis-restarted' | 'postgres-dropped' | 'none';
export const FAULTS: Fault[] = ['api-killed', 'tier-worker-killed', 'job-worker-killed', 'redis-restarted', 'postgres-dropped'];

export interface FaultOutcome {
  fault: Fault;
  status: string;
  seconds: number;
  measurements: number;
  expectedMeasurements: number;
  accuracyRows: number;
  webhookMessages: number;
  webhookPosts: number;
  responses5xx: number;
  crashes: number;
  peakApiRssMiB: number;
  /** Postgres connections terminated (postgres-dropped only). */
  backendsTerminated: number;
}

const main = join(repoRoot(), 'dist/src/cli/main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Peak resident set (VmHWM) of a live process, in bytes; 0 once it is gone. */
function peakRss(pid: number | undefined): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export class FaultDeployment {
  readonly redisPort: number;
  readonly apiPort: number;
  readonly prefix = `tw-fault-${randomUUID().slice(0, 8)}`;
  private readonly env: NodeJS.ProcessEnv;
  private redis?: ChildProcess;
  readonly roles = new Map<string, ChildProcess>();
  /** Children that died without being killed by the harness. */
  crashes = 0;
  private readonly killed = new Set<ChildProcess>();
  private receiver?: Server;
  private hookUrl = '';
  readonly hooks: Array<{ id: string; studyId: string; type: string }> = [];
  private apiPeak = 0;
  key = '';
  private ids?: { modelId: string; datasetId: string };

  private constructor(redisPort: number, apiPort: number) {
    this.redisPort = redisPort;
    this.apiPort = apiPort;
    this.env = {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      QUEUE_PREFIX: this.prefix,
      BLOB_DIR: mkdtempSync(join(tmpdir(), 'tierwise-faults-')),
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      ALLOW_PRIVATE_WEBHOOKS: 'true',
      WORKER_LOCK_MS: '2000',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_SETTLED_MS: '1000',
      LOG_LEVEL: 'warn',
      TIERWISE_API_KEY: undefined,
    };
  }

  static async start(): Promise<FaultDeployment> {
    const deployment = new FaultDeployment(await freePort(), await freePort());
    await deployment.startRedis();
    await deployment.startReceiver();
    deployment.spawnRole('job-worker', ['worker', '--queues', 'build,evaluate,advise,webhook']);
    deployment.spawnRole('tier-worker', ['worker', '--tier', 'edge']);
    await deployment.spawnApi();
    await deployment.setUp();
    return deployment;
  }

  private async startRedis(): Promise<void> {
    this.redis = spawn(
      'redis-server',
      ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
      { stdio: 'ignore' },
    );
    await until(
      'redis to answer',
      async () => {
        const redis = new IORedis({ host: '127.0.0.1', port: this.redisPort, maxRetriesPerRequest: 0, lazyConnect: true });
        redis.on('error', () => undefined);
        try {
          await redis.connect();
          return (await redis.ping()) === 'PONG' ? true : undefined;
        } finally {
          redis.disconnect();
        }
      },
      10_000,
    );
  }

  /** Kills the owned Redis (SIGKILL: no persistence, every job is lost) and starts it again on the same port. */
  async restartRedis(): Promise<void> {
    const old = this.redis!;
    const gone = new Promise((r) => old.once('exit', r));
    old.kill('SIGKILL');
    await gone;
    await this.startRedis();
  }

  private async startReceiver(): Promise<void> {
    this.receiver = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        try {
          const message = JSON.parse(body) as { type: string; data: { studyId?: string } };
          this.hooks.push({ id: String(req.headers['webhook-id']), studyId: message.data.studyId ?? '', type: message.type });
        } catch {
          // not ours
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => this.receiver!.listen(0, '127.0.0.1', r));
    this.hookUrl = `http://127.0.0.1:${(this.receiver.address() as AddressInfo).port}/hook`;
  }

  private spawnRole(role: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...this.env, ...env },
      stdio: ['ignore', 'ignore', process.env.FAULTS_VERBOSE ? 'inherit' : 'ignore'],
    });
    child.once('exit', () => {
      if (!this.killed.has(child)) this.crashes++;
    });
    this.roles.set(role, child);
    return child;
  }

  private async spawnApi(): Promise<void> {
    const api = this.spawnRole('api', ['serve'], { TIERWISE_API_KEY: undefined });
    await until(
      'the api to answer',
      async () => ((await fetch(`http://127.0.0.1:${this.apiPort}/health`)).ok ? true : undefined),
      60_000,
      200,
    );
    this.sampleApi(api);
  }

  private sampleApi(api: ChildProcess): void {
    const timer = setInterval(() => {
      const rss = peakRss(api.pid);
      if (rss === 0) clearInterval(timer);
      this.apiPeak = Math.max(this.apiPeak, rss);
    }, 200);
    timer.unref();
  }

  /** SIGKILLs one role and starts it again (the api: once /health answers). */
  async kill(role: 'api' | 'job-worker' | 'tier-worker'): Promise<void> {
    const child = this.roles.get(role)!;
    this.apiPeak = Math.max(this.apiPeak, role === 'api' ? peakRss(child.pid) : 0);
    this.killed.add(child);
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    if (role === 'api') await this.spawnApi();
    else
      this.spawnRole(role, role === 'job-worker' ? ['worker', '--queues', 'build,evaluate,advise,webhook'] : ['worker', '--tier', 'edge']);
  }

  /** Terminates every connection other processes hold to the test database. */
  async dropPostgres(): Promise<number> {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const res = await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      return res.rowCount ?? 0;
    } finally {
      await client.end();
    }
  }

  private url(path: string): string {
    return `http://127.0.0.1:${this.apiPort}${path}`;
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.url(path), { ...init, headers: { Authorization: `Bearer ${this.key}`, ...(init.headers ?? {}) } });
  }

  private async setUp(): Promise<void> {
    const issued = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [main, 'keys', 'create', '--team', `faults-${randomUUID().slice(0, 8)}`, '--json'], {
        env: this.env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`keys create: ${code}`))));
    });
    this.key = (JSON.parse(issued) as { key: string }).key;
    const form = new FormData();
    form.set('name', 'fashion-resnet');
    form.set('file', new Blob([readFileSync(fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'))]), 'model.onnx');
    const model = (await (await this.request('/v1/models', { method: 'POST', body: form })).json()) as { id: string };
    const archive = join(mkdtempSync(join(tmpdir(), 'tierwise-faults-ds-')), 'eval-100.tar.gz');
    tar.c({ sync: true, gzip: true, cwd: fixtures('fashion-resnet'), file: archive, portable: true }, ['eval-100']);
    const data = new FormData();
    data.set('preprocess', readFileSync(fixtures('fashion-resnet/preprocess.json'), 'utf8'));
    data.set('file', new Blob([readFileSync(archive)]), 'eval-100.tar.gz');
    const dataset = (await (await this.request('/v1/datasets', { method: 'POST', body: data })).json()) as { id: string };
    this.ids = { modelId: model.id, datasetId: dataset.id };
  }

  private queue(name: string): Queue {
    return new Queue(name, { connection: { host: '127.0.0.1', port: this.redisPort, maxRetriesPerRequest: 1 }, prefix: this.prefix });
  }

  /** Waits until a job of the study is active on `queue`. */
  private async activeOn(queueName: string, studyId: string): Promise<void> {
    const queue = this.queue(queueName);
    try {
      await until(
        `a ${queueName} job of the study to run`,
        async () => ((await queue.getActive()).some((j) => j.data.studyId === studyId) ? true : undefined),
        90_000,
      );
    } finally {
      await queue.close();
    }
  }

  /** One study (bench on edge, evaluation on the dataset, advice) with `fault` injected in its middle. */
  async run(fault: Fault): Promise<FaultOutcome> {
    const started = Date.now();
    let responses5xx = 0;
    let backendsTerminated = 0;
    const crashesBefore = this.crashes;
    const body = {
      ...this.ids,
      tiers: ['edge'],
      scenarios: ['edge'],
      operators: ['identity'],
      effort: { warmup: 2, runs: 200 },
      webhookUrl: this.hookUrl,
    };
    const created = await this.request('/v1/studies', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    if (created.status !== 202) throw new Error(`study not created: ${created.status} ${await created.text()}`);
    const studyId = ((await created.json()) as { id: string }).id;
    switch (fault) {
      case 'api-killed':
        await this.kill('api');
        break;
      case 'tier-worker-killed':
        await this.activeOn('bench-edge', studyId);
        await this.kill('tier-worker');
        break;
      case 'job-worker-killed':
        await this.activeOn('evaluate', studyId);
        await this.kill('job-worker');
        break;
      case 'redis-restarted':
        await this.activeOn('bench-edge', studyId);
        await this.restartRedis();
        break;
      case 'postgres-dropped':
        await this.activeOn('bench-edge', studyId);
        backendsTerminated += await this.dropPostgres();
        await this.activeOn('evaluate', studyId);
        backendsTerminated += await this.dropPostgres();
        break;
      case 'none':
        break;
    }
    let status = 'unknown';
    await until(
      'the study to end',
      async () => {
        const res = await this.request(`/v1/studies/${studyId}`).catch(() => undefined);
        if (!res) return undefined;
        if (res.status >= 500) responses5xx++;
        if (res.status !== 200) return undefined;
        status = ((await res.json()) as { status: string }).status;
        return isTerminal(status as never) ? true : undefined;
      },
      180_000,
      250,
    );
    const measurements = (await (await this.request(`/v1/studies/${studyId}/measurements`)).json()) as unknown[];
    const accuracy = await this.accuracyRows(studyId);
    // The completion webhook: give a delivery in flight a moment to land (and a duplicate time to show up).
    await until('the webhook', async () => (this.hooks.some((h) => h.studyId === studyId) ? true : undefined), 30_000).catch(
      () => undefined,
    );
    await sleep(1500);
    const hooks = this.hooks.filter((h) => h.studyId === studyId);
    return {
      fault,
      status,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      measurements: measurements.length,
      expectedMeasurements: 1,
      accuracyRows: accuracy,
      webhookMessages: new Set(hooks.map((h) => h.id)).size,
      webhookPosts: hooks.length,
      responses5xx,
      crashes: this.crashes - crashesBefore,
      peakApiRssMiB: Math.round(Math.max(this.apiPeak, peakRss(this.roles.get('api')?.pid)) / 2 ** 20),
      backendsTerminated,
    };
  }

  private async accuracyRows(studyId: string): Promise<number> {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      return Number((await client.query('select count(*) from "AccuracyResult" where "studyId" = $1', [studyId])).rows[0].count);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    for (const child of this.roles.values()) {
      this.killed.add(child);
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      }
    }
    this.redis?.kill('SIGKILL');
    this.receiver?.closeAllConnections();
    this.receiver?.close();
  }
}
