import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { StudiesModule } from '../studies/studies.module';
import { RemoteJobsService } from './remote-jobs.service';
import { WorkerApiController } from './worker-api.controller';

/** The api's side of workers on other machines: /v1/worker (jobs, their inputs and blobs, results, heartbeats). */
@Module({
  imports: [StudiesModule, DatasetsModule],
  controllers: [WorkerApiController],
  providers: [RemoteJobsService],
})
export class RemoteWorkersModule {}
