import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { detectCapabilities } from '../../isolation/cgroups';
import { Logger } from 'nestjs-pino';
import { QueueName, benchQueue } from '../../jobs/job-catalogue';
import { TiersConfig } from '../../tiers/tiers.config';
import { WorkerHost } from '../../worker/worker-host';
import { WorkerModule } from '../../worker/worker.module';
import { StudyReconciler } from '../../studies/study-reconciler';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { startMetricsServer } from '../../metrics/metrics-server';

const FIXED_QUEUES: string[] = Object.values(QueueName);

export function register(program: Command): void {
  program
    .command('worker')
    .description('start a worker: a tier pool (--tier) or the build/evaluate/advise/webhook queues (--queues)')
    .option('--tier <name>', "consume this tier's benchmark queue")
    .option('--queues <list>', `comma-separated queues among ${FIXED_QUEUES.join(', ')}`)
    .option('--device <name>', 'a real device (measurements are native, not scaled)')
    .option('--metrics-port <port>', "serve this worker's Prometheus /metrics on this port (default: WORKER_METRICS_PORT, else none)")
    .action(async (options: { tier?: string; queues?: string; device?: string; metricsPort?: string }) => {
      if (!options.tier && !options.queues) throw new Error('give --tier <name> or --queues <list>');
      // The bench processor reads it from the config: a device's figures are native (unscaled, nothing pinned).
      if (options.device) process.env.TIERWISE_DEVICE = options.device;
      const app = await NestFactory.createApplicationContext(WorkerModule.create(), { bufferLogs: true });
      app.useLogger(app.get(Logger));
      app.enableShutdownHooks();
      const queues: string[] = [];
      if (options.tier) {
        const tiers = app.get(TiersConfig);
        if (!tiers.get(options.tier)) throw new Error(`unknown tier ${options.tier}; configured: ${tiers.names().join(', ')}`);
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
