import { DynamicModule, Module, type Type } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BlobsModule } from '../blobs/blobs.module';
import { ConfigModule } from '../config/config.module';
import { LoggingModule } from '../common/logging/logging.module';
import { JobsModule } from '../jobs/jobs.module';
import { ViewCacheModule } from '../common/cache/view-cache';
import { PrismaModule } from '../prisma/prisma.module';
import { TiersModule } from '../tiers/tiers.module';
import { JOB_PROCESSORS, type JobProcessor } from '../jobs/job-processor';
import { WorkerHost } from './worker-host';
import { workerFeatures } from './worker-features';

/** The worker process: a Nest application context (no HTTP) whose processors consume BullMQ queues. */
@Module({})
export class WorkerModule {
  static create(): DynamicModule {
    const processors: Array<Type<JobProcessor>> = workerFeatures.flatMap((feature) => feature.processors);
    return {
      module: WorkerModule,
      imports: [
        ConfigModule,
        LoggingModule,
        PrismaModule,
        BlobsModule,
        JobsModule,
        ViewCacheModule,
        AuthModule,
        TiersModule,
        ...workerFeatures.map((f) => f.module),
      ],
      providers: [WorkerHost, { provide: JOB_PROCESSORS, useFactory: (...instances: JobProcessor[]) => instances, inject: processors }],
    };
  }
}
