import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { detectCapabilities } from '../../isolation/cgroups';
import { TierwiseLogger } from '../../common/logger';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { QueueName, benchQueue } from '../../jobs/job-catalogue';
import { TiersConfig } from '../../tiers/tiers.config';
import { WorkerHost } from '../../worker/worker-host';
import { WorkerModule } from '../../worker/worker.module';
import { StudyReconciler } from '../../studies/study-reconciler';

const FIXED_QUEUES: string[] = Object.values(QueueName);

export function register(program: Command): void {
  program
    .command('worker')
    .description('start a worker: a tier pool (--tier) or the build/evaluate/advise/webhook queues (--queues)')
    .option('--tier <name>', "consume this tier's benchmark queue")
    .option('--queues <list>', `comma-separated queues among ${FIXED_QUEUES.join(', ')}`)
    .option('--device <name>', 'a real device (measurements are native, not scaled)')
    .action(async (options: { tier?: string; queues?: string; device?: string }) => {
      if (!options.tier && !options.queues) throw new Error('give --tier <name> or --queues <list>');
      const app = await NestFactory.createApplicationContext(WorkerModule.create(), { logger: new TierwiseLogger() });
      app.enableShutdownHooks();
      const queues: string[] = [];
      if (options.tier) {
        const tiers = app.get(TiersConfig);
        if (!tiers.get(options.tier)) throw new Error(`unknown tier ${options.tier}; configured: ${tiers.names().join(', ')}`);
        queues.push(benchQueue(options.tier));
      }
      for (const queue of (options.queues ?? '').split(',').map((q) => q.trim()).filter(Boolean)) {
        if (!FIXED_QUEUES.includes(queue)) throw new Error(`unknown queue ${queue}; known: ${FIXED_QUEUES.join(', ')}`);
        queues.push(queue);
      }
      const caps = detectCapabilities();
      const envelopeMethod = options.device ? 'native' : caps.taskset || caps.memoryCgroup ? 'scaled' : 'none';
      await app.get(WorkerHost).start({ queues, tier: options.tier, device: options.device, envelopeMethod });
      if (queues.includes(QueueName.Advise)) {
        const config = app.get<AppConfig>(APP_CONFIG);
        app.get(StudyReconciler, { strict: false }).start(config.RECONCILE_INTERVAL_MS, config.RECONCILE_SETTLED_MS);
      }
    });
}
