import { DynamicModule, Module } from '@nestjs/common';
import { BlobCache } from '../../blobs/blob-cache';
import { BlobsService } from '../../blobs/blobs.service';
import { LoggingModule } from '../../common/logging/logging.module';
import { ConfigModule } from '../../config/config.module';
import { DatasetsService } from '../../datasets/datasets.service';
import { JOB_PROCESSORS, type JobProcessor } from '../../jobs/job-processor';
import { BenchProcessor } from '../../studies/processors/bench.processor';
import { ResultsRepository } from '../../studies/results.repository';
import { StudyDatasets } from '../../studies/study-datasets';
import { StudyJobs } from '../../studies/study-jobs';
import { RemoteBlobs, RemoteDatasets, RemoteResults, RemoteStudyJobs } from './remote-providers';
import { RemoteWorkerHost } from './remote-worker-host';
import { WorkerApiClient, type WorkerConnection } from './worker-api-client';

/**
 * A worker on another machine (`tierwise worker --api … --token … --tier …`): the same BenchProcessor as a local
 * tier pool, with its Postgres- and blob-store-backed collaborators replaced by calls to the api. Nothing here opens
 * a database or Redis connection.
 */
@Module({})
export class RemoteWorkerModule {
  static create(connection: WorkerConnection & { blobDir: string }): DynamicModule {
    return {
      module: RemoteWorkerModule,
      imports: [ConfigModule, LoggingModule],
      providers: [
        { provide: WorkerApiClient, useFactory: () => new WorkerApiClient(connection, new BlobCache(connection.blobDir)) },
        { provide: StudyJobs, useClass: RemoteStudyJobs },
        { provide: ResultsRepository, useClass: RemoteResults },
        { provide: BlobsService, useClass: RemoteBlobs },
        { provide: DatasetsService, useClass: RemoteDatasets },
        StudyDatasets,
        BenchProcessor,
        { provide: JOB_PROCESSORS, useFactory: (bench: JobProcessor) => [bench], inject: [BenchProcessor] },
        RemoteWorkerHost,
      ],
    };
  }
}
