import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TeamsService } from '../src/auth/teams.service';
import { repoRoot } from '../src/common/paths';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();

/** Why this test cannot run here, or null. */
function unavailable(): string | null {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root to create a network namespace (ip netns add)';
  if (spawnSync('ip', ['-V']).error) return 'needs the `ip` command (iproute2)';
  return null;
}
const skip = unavailable();

/** Inside the namespace: 127.0.0.1:PORT (the namespace's own loopback) forwarded to a path-based Unix socket. */
const FORWARDER = `
const net = require('node:net');
const [port, socket] = process.argv.slice(1);
net.createServer((c) => { const u = net.connect(socket); c.pipe(u); u.pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\\n'));
`;
const NS_PORT = 7300;

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${out}`));
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('a worker in its own network namespace, with no database and no shared disk', { skip: skip ?? false }, () => {
  const ns = `tw-remote-${process.pid}`;
  let api: Api;
  let jobsWorker: INestApplicationContext;
  let bridge: Server;
  let forwarder: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let workerLog = '';
  const scratch = mkdtempSync(join(tmpdir(), 'tierwise-netns-'));
  const blobDir = join(scratch, 'blobs');

  before(async () => {
    api = await startApi();
    await api.app.listen(0, '127.0.0.1');
    const apiPort = (api.app.getHttpServer().address() as AddressInfo).port;
    jobsWorker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook'] });
    // Host side of the bridge: the Unix socket (which crosses namespaces by its path) to the api's TCP port.
    const socket = join(scratch, 'api.sock');
    bridge = createServer((u) => {
      const t = connect(apiPort, '127.0.0.1');
      u.pipe(t);
      t.pipe(u);
      u.on('error', () => t.destroy());
      t.on('error', () => u.destroy());
    });
    await new Promise<void>((r) => bridge.listen(socket, r));
    spawnSync('ip', ['netns', 'del', ns]);
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0, 'ip netns add failed');
    assert.equal(spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']).status, 0);
    forwarder = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', FORWARDER, String(NS_PORT), socket], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(forwarder, /listening/, 'the forwarder');
  });
  after(async () => {
    await stop(worker);
    await stop(forwarder);
    spawnSync('ip', ['netns', 'del', ns]);
    bridge?.close();
    await jobsWorker?.close();
    await api?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("registers, takes the tier's jobs and completes a study's measurements", async () => {
    const { auth } = await api.newTeam();
    const ids = await uploadImageFamily(api, auth, []);
    const { key } = await api.app.get(TeamsService).issueKey('default', 'netns', undefined, { kind: 'worker', tiers: ['edge'] });
    // Only what a machine elsewhere would have: PATH, the token, its own empty blob dir. No DATABASE_URL, REDIS_URL, BLOB_DIR.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, LOG_LEVEL: 'warn', TIERWISE_WORKER_TOKEN: key };
    worker = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        join(repoRoot(), 'dist/src/cli/main.js'),
        'worker',
        '--api',
        `http://127.0.0.1:${NS_PORT}`,
        '--tier',
        'edge',
        '--blob-dir',
        blobDir,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: scratch },
    );
    worker.stdout?.on('data', (d: Buffer) => (workerLog += d.toString()));
    worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));
    await waitForLine(worker, /remote worker for tier edge/, 'the namespaced worker', 60_000);

    // Registered: its heartbeat reached the api's registry over the bridge.
    const tiers = await api.http.get('/v1/tiers').set(auth).expect(200);
    assert.match(JSON.stringify(tiers.body), /remote:/, 'the namespaced worker is listed');

    // From inside the namespace the host's Postgres and Redis are unreachable (its 127.0.0.1 is its own).
    const probe = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '-e',
        "require('node:net').connect(6379,'127.0.0.1').on('error',()=>process.exit(3)).on('connect',()=>process.exit(0))",
      ],
      { timeout: 10_000 },
    );
    assert.equal(probe.status, 3, 'Redis must not be reachable from the worker namespace');

    const study = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['edge'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const done = await waitForStudy(api, auth, study.body.id);
    assert.equal(done.status, 'completed', `${JSON.stringify(done.failures)}\n${workerLog}`);
    const measurements = await api.http.get(`/v1/studies/${study.body.id}/measurements`).set(auth).expect(200);
    const edge = (measurements.body as Array<{ tier: string; p50Ms: number }>).filter((m) => m.tier === 'edge');
    assert.equal(edge.length, 1, workerLog);
    assert.ok(edge[0].p50Ms > 0);
    // Its blobs came over HTTP into its own directory, by sha.
    const cached = readdirSync(blobDir).filter((d) => /^[0-9a-f]{2}$/.test(d));
    assert.ok(cached.length >= 1, 'the worker cached what it fetched');
  });
});
