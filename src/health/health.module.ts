import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JobsModule } from '../jobs/jobs.module';
import { PrismaModule } from '../prisma/prisma.module';
import { HealthController } from './health.controller';

/** `/health`: Postgres and Redis checked with @nestjs/terminus. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), PrismaModule, JobsModule],
  controllers: [HealthController],
})
export class HealthModule {}
