import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisCluster {
  /** One seed node's URL, as REDIS_URL takes it with REDIS_CLUSTER=true. */
  url: string;
  ports: number[];
  /** redis-cli against one node, in cluster mode (-c), returning its output. */
  cli(port: number, ...args: string[]): string;
  stop(): Promise<void>;
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Ports for `count` nodes whose cluster bus ports (port + 10000) are free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = 20000 + Math.floor(Math.random() * 20000); ports.length < count && port < 55000; port += 1)
    if ((await portFree(port)) && (await portFree(port + 10000))) ports.push(port);
  if (ports.length < count) throw new Error('no free ports for a Redis Cluster');
  return ports;
}

/**
 * A real Redis Cluster on this machine: `nodes` redis-server processes in cluster mode (no persistence, their own
 * folder), joined by `redis-cli --cluster create` with the 16384 slots split between them, ready when every node
 * reports cluster_state:ok.
 */
export async function startRedisCluster(nodes = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tierwise-redis-cluster-'));
  const ports = await clusterPorts(nodes);
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`].concat([
        '--cluster-node-timeout',
        '5000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ]),
      { stdio: 'ignore' },
    ),
  );
  const cli = (port: number, ...args: string[]): string => {
    const run = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${run.stderr || run.stdout}`);
    return run.stdout;
  };
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!ok()) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Redis Cluster: ${what} within 30 s`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const answers = (port: number) => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
  await until('nodes did not answer', () => ports.every(answers));
  cli(ports[0], '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes');
  await until('state did not become ok', () => ports.every((p) => /cluster_state:ok/.test(cli(p, 'cluster', 'info'))));
  return { url: `redis://127.0.0.1:${ports[0]}`, ports, cli: (port, ...args) => cli(port, '-c', ...args), stop };
}
