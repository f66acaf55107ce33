import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { detectCapabilities } from '../../isolation/cgroups';
import { Logger } from 'nestjs-pino';
import { QueueName, benchQueue } from '../../jobs/job-catalogue';
import { TiersConfig } from '../../tiers/tiers.config';
import { TeamTiersRepository } from '../../tiers/tiers.repository';
import { WorkerHost } from '../../worker/worker-host';
import { WorkerModule } from '../../worker/worker.module';
import { StudyReconciler } from '../../studies/study-reconciler';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { startMetricsServer } from '../../metrics/metrics-server';
import { resolve } from 'node:path';
import { RemoteWorkerModule } from '../../remote-workers/client/remote-worker.module';
import { RemoteWorkerHost } from '../../remote-workers/client/remote-worker-host';

const FIXED_QUEUES: string[] = Object.values(QueueName);

interface WorkerCommandOptions {
  tier?: string;
  queues?: string;
  device?: string;
  metricsPort?: string;
  api?: string;
  token?: string;
  blobDir?: string;
}

/** `--api`: a tier pool member that reaches the deployment only over HTTP (src/remote-workers/). */
async function startRemoteWorker(options: WorkerCommandOptions): Promise<void> {
  const token = options.token ?? process.env.TIERWISE_WORKER_TOKEN;
  if (!token)
    throw new Error('--api needs --token <worker token> (or TIERWISE_WORKER_TOKEN); make one with `tierwise keys create --worker`');
  if (!options.tier) throw new Error('--api needs --tier <name>: a remote worker serves one tier');
  if (options.queues) throw new Error('--queues is for workers on the database and Redis; a remote worker (--api) takes only --tier');
  const blobDir = resolve(options.blobDir ?? 'var/worker-blobs');
  const app = await NestFactory.createApplicationContext(RemoteWorkerModule.create({ api: options.api!, token, blobDir }), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const caps = detectCapabilities();
  const envelopeMethod = options.device ? 'native' : caps.taskset || caps.memoryCgroup ? 'scaled' : 'none';
  await app.get(RemoteWorkerHost).start({ tier: options.tier, device: options.device, envelopeMethod });
  process.stderr.write(`remote worker for tier ${options.tier}: jobs from ${options.api}, blobs cached in ${blobDir}\n`);
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('start a worker: a tier pool (--tier) or the build/evaluate/advise/webhook queues (--queues)')
    .option('--tier <name>', "consume this tier's benchmark queue (bench-<name>): a configured or a team tier")
    .option('--queues <list>', `comma-separated queues among ${FIXED_QUEUES.join(', ')}`)
    .option('--device <name>', 'a real device (measurements are native, not scaled)')
    .option('--api <url>', "join over HTTP: take the tier's jobs from this api (no DATABASE_URL, REDIS_URL or shared BLOB_DIR)")
    .option('--token <worker token>', 'with --api: a worker token (tierwise keys create --worker); default env TIERWISE_WORKER_TOKEN')
    .option('--blob-dir <dir>', "with --api: this worker's own blob cache (default ./var/worker-blobs)")
    .option('--metrics-port <port>', "serve this worker's Prometheus /metrics on this port (default: WORKER_METRICS_PORT, else none)")
    .action(async (options: WorkerCommandOptions) => {
      if (options.api) return startRemoteWorker(options);
      if (!options.tier && !options.queues) throw new Error('give --tier <name> or --queues <list>');
      // The bench processor reads it from the config: a device's figures are native (unscaled, nothing pinned).
      if (options.device) process.env.TIERWISE_DEVICE = options.device;
      const app = await NestFactory.createApplicationContext(WorkerModule.create(), { bufferLogs: true });
      app.useLogger(app.get(Logger));
      app.enableShutdownHooks();
      const queues: string[] = [];
      if (options.tier) {
        const tiers = app.get(TiersConfig);
        // A deployment tier (defaults, TIERWISE_TIERS) or a team's own (POST /v1/tiers): both have the queue bench-<name>.
        if (!tiers.get(options.tier) && !(await app.get(TeamTiersRepository).byName(options.tier)))
          throw new Error(
            `unknown tier ${options.tier}; configured: ${tiers.names().join(', ')} (a team adds its own with POST /v1/tiers)`,
          );
        queues.push(benchQueue(options.tier));
      }
      for (const queue of (options.queues ?? '')
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean)) {
        if (!FIXED_QUEUES.includes(queue)) throw new Error(`unknown queue ${queue}; known: ${FIXED_QUEUES.join(', ')}`);
        queues.push(queue);
      }
      const caps = detectCapabilities();
      const device = options.device ?? process.env.TIERWISE_DEVICE;
      const envelopeMethod = device ? 'native' : caps.taskset || caps.memoryCgroup ? 'scaled' : 'none';
      await app.get(WorkerHost).start({ queues, tier: options.tier, device, envelopeMethod });
      if (queues.includes(QueueName.Advise)) {
        const config = app.get<AppConfig>(APP_CONFIG);
        app.get(StudyReconciler, { strict: false }).start(config.RECONCILE_INTERVAL_MS, config.RECONCILE_SETTLED_MS);
      }
      const metricsPort =
        options.metricsPort !== undefined ? Number(options.metricsPort) : app.get<AppConfig>(APP_CONFIG).WORKER_METRICS_PORT;
      if (metricsPort !== undefined) {
        if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)
          throw new Error(`--metrics-port must be a port number, got ${options.metricsPort}`);
        const server = await startMetricsServer(metricsPort, { role: options.tier ? `tier-${options.tier}` : 'jobs' });
        const address = server.address();
        process.stderr.write(`worker metrics on :${typeof address === 'object' && address ? address.port : metricsPort}/metrics\n`);
      }
    });
}
