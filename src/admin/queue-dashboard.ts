import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, InjectBullBoard, type BullBoardInstance } from '@bull-board/nestjs';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { QueueName, benchQueue } from '../jobs/job-catalogue';
import { JobsModule } from '../jobs/jobs.module';
import { QueuesService } from '../jobs/queues.service';
import { TiersConfig } from '../tiers/tiers.config';
import { TiersModule } from '../tiers/tiers.module';
import { adminAuth } from './admin-auth';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/** Puts every queue of the job catalogue (and each configured tier's bench queue) on the board. */
@Injectable()
class QueueDashboardQueues implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly queues: QueuesService,
    private readonly tiers: TiersConfig,
  ) {}

  onModuleInit(): void {
    const names = [...Object.values(QueueName), ...this.tiers.names().map(benchQueue)];
    for (const name of names) this.board.addQueue(new BullMQAdapter(this.queues.queue(name), { readOnlyMode: false }));
  }
}

/** bull-board at /admin/queues, behind ADMIN_API_KEY: jobs per queue and state, retries, failures with their data. */
@Module({
  imports: [
    BullBoardModule.forRoot({
      route: QUEUE_DASHBOARD_ROUTE,
      adapter: ExpressAdapter,
      middleware: adminAuth,
      boardOptions: { uiConfig: { boardTitle: 'Tierwise queues' } },
    }),
    JobsModule,
    TiersModule,
  ],
  providers: [QueueDashboardQueues],
})
export class QueueDashboardModule {}
