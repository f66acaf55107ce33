import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { generateApiKey } from '../../auth/api-key';
import { repoRoot } from '../../common/paths';
import { loadConfig } from '../../config/env';
import { configuredTiers } from '../../benchmark/tiers';
import { allowedCores, detectCapabilities } from '../../isolation/cgroups';
import { servicePlacement } from '../../isolation/work-cores';
import { ensureDatabase, migrate } from '../database';

/** The key `npm start` prints: TIERWISE_API_KEY when set, else one kept in var/ so restarts reuse it. */
async function localKey(blobDir: string): Promise<string> {
  const file = join(dirname(blobDir), 'api-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = generateApiKey();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'everything on one machine: create and migrate the database, then the api, a build/evaluate/advise/webhook worker and one worker per tier',
    )
    .action(async () => {
      const config = loadConfig();
      await ensureDatabase(config.DATABASE_URL);
      migrate(config.DATABASE_URL);
      const key = config.TIERWISE_API_KEY ?? (await localKey(config.BLOB_DIR));
      const host = allowedCores();
      const env = { ...process.env, TIERWISE_API_KEY: key, TIERWISE_HOST_CORES: host.join(',') };
      const main = join(repoRoot(), 'dist/src/cli/main.js');
      const placement = servicePlacement(host);
      const pin = detectCapabilities().taskset ? ['taskset', '-c', placement.cores.join(',')] : [];
      process.stdout.write(placementNote(placement, host, pin.length > 0) + '\n');
      const roles = [
        ['serve'],
        ['worker', '--queues', 'build,evaluate,advise,webhook'],
        ...Object.keys(configuredTiers()).map((tier) => ['worker', '--tier', tier]),
      ];
      // With WORKER_METRICS_PORT set, the workers serve /metrics on it and the ports after it, one each, in this order.
      const metricsPort = (i: number) =>
        config.WORKER_METRICS_PORT === undefined || i === 0 ? [] : ['--metrics-port', String(config.WORKER_METRICS_PORT + i - 1)];
      const supervisor = new Supervisor(
        roles.map((args, i) => {
          const argv = [...pin, process.execPath, main, ...args, ...metricsPort(i)];
          return { name: args.join(' '), command: argv[0]!, args: argv.slice(1), env };
        }),
      );
      supervisor.start();
      const stop = (code: number) => void supervisor.stop().then(() => process.exit(code));
      process.once('SIGINT', () => stop(0));
      process.once('SIGTERM', () => stop(0));
      const address = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
      process.stdout.write(
        `\nTierwise is starting on http://${address}:${config.PORT}  (REST /v1, GraphQL /graphql, OpenAPI /docs)\n` +
          `API key (team "default"): ${key}\n` +
          `Try: curl -H "Authorization: Bearer ${key}" -F file=@test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx -F name=resnet http://${address}:${config.PORT}/v1/models\n\n`,
      );
    });
}

/** What start-up says about where the services run, and which tiers still share their cores. */
export function placementNote(placement: ReturnType<typeof servicePlacement>, host: number[], pinned: boolean): string {
  if (!pinned)
    return 'Cores: taskset is unavailable, so the api, job worker and database clients may run on any core, measuring cores included; measurements other work disturbs are retaken or marked noisy.';
  const head = `Cores: the api, job worker and database clients run on core(s) ${placement.cores.join(',')} of ${host.join(',')}`;
  if (placement.shared.length === 0) return `${head}, off every tier's measuring cores.`;
  const shared = placement.shared.map((t) => `${t.tier} (cores ${t.cores.join(',')})`).join(', ');
  return (
    `${head}; this host has no cores to spare for ${shared}: those tiers measure on the same cores as the services, ` +
    'so their figures taken while the services work are retaken or marked noisy (more cores, or TIERWISE_TIERS with fewer threads, avoid it).'
  );
}

export interface SupervisedRole {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  stdio?: 'inherit' | 'ignore';
}

export interface SupervisorOptions {
  /** First restart delay; doubles on each crash in a row, up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A child that stayed up this long is healthy again: its next crash restarts after `initialBackoffMs`. */
  healthyAfterMs?: number;
  log?: (line: string) => void;
}

/**
 * Keeps one process per role running: a child that exits is restarted after an exponential backoff while the
 * others keep running; `stop()` sends SIGTERM to all and waits (SIGKILL after 10 s).
 */
export class Supervisor {
  readonly children = new Map<string, ChildProcess>();
  readonly restarts = new Map<string, number>();
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly options: Required<SupervisorOptions>;

  constructor(
    private readonly roles: SupervisedRole[],
    options: SupervisorOptions = {},
  ) {
    this.options = {
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      healthyAfterMs: options.healthyAfterMs ?? 60_000,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    };
  }

  start(): void {
    for (const role of this.roles) this.spawn(role, 0);
  }

  private spawn(role: SupervisedRole, crashesInARow: number): void {
    if (this.stopping) return;
    const child = spawn(role.command, role.args, { env: role.env ?? process.env, stdio: role.stdio ?? 'inherit' });
    const startedAt = Date.now();
    this.children.set(role.name, child);
    child.on('error', (error) => this.options.log(`tierwise ${role.name} could not start: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const inARow = Date.now() - startedAt >= this.options.healthyAfterMs ? 0 : crashesInARow;
      const delay = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** inARow);
      this.restarts.set(role.name, (this.restarts.get(role.name) ?? 0) + 1);
      this.options.log(`tierwise ${role.name} exited (${signal ?? code}); restarting in ${delay} ms, the others keep running`);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.spawn(role, inARow + 1);
      }, delay);
      this.timers.add(timer);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    const live = [...this.children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of live) child.kill('SIGTERM');
    const kill = setTimeout(() => live.forEach((c) => c.kill('SIGKILL')), 10_000);
    await Promise.all(live.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    clearTimeout(kill);
  }
}
