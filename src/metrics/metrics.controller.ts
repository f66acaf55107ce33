import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard';
import { QueuesService } from '../jobs/queues.service';
import { TiersConfig } from '../tiers/tiers.config';
import { QueueName, benchQueue } from '../jobs/job-catalogue';
import { queueDepth, registry } from './metrics';

@ApiTags('health')
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly queues: QueuesService,
    private readonly tiers: TiersConfig,
  ) {}

  /** Prometheus text format: request durations, queue depths, process metrics. */
  @Public()
  @Get()
  @Header('Content-Type', registry.contentType)
  async metrics(): Promise<string> {
    const names = [...Object.values(QueueName), ...this.tiers.names().map(benchQueue)];
    await Promise.all(
      names.map(async (name) => {
        const counts = await this.queues
          .queue(name)
          .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'waiting-children');
        for (const [state, count] of Object.entries(counts)) queueDepth.set({ queue: name, state }, count);
      }),
    );
    return registry.metrics();
  }
}
