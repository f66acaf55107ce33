import { Inject, Injectable } from '@nestjs/common';
import type { TeamRef } from '../../auth/teams.repository';
import { openStoredDataset, type DatasetFormat, type OpenedDataset } from '../../datasets/dataset-files';
import type { DatasetView } from '../../datasets/dataset.views';
import type { DatasetKind } from '../../datasets/formats/types';
import type { BlobsService } from '../../blobs/blobs.service';
import type { DatasetsService } from '../../datasets/datasets.service';
import type { NewMeasurement, ResultsRepository } from '../../studies/results.repository';
import type { StudyJobs } from '../../studies/study-jobs';
import type { JobTarget } from '../remote-jobs.service';
import { currentRemoteJob } from './remote-job-context';
import { WorkerApiClient } from './worker-api-client';

/**
 * In a remote worker the processors are the same classes as in a local one; what they read and write through
 * Postgres and the blob store goes through these instead: the api answers for the held job (its lease), and blobs
 * come into the worker's own cache. Each implements exactly the methods the bench processor calls.
 */
@Injectable()
export class RemoteStudyJobs implements Pick<StudyJobs, 'builtTarget' | 'watchCancellation' | 'finished' | 'isCancelled'> {
  constructor(@Inject(WorkerApiClient) private readonly api: WorkerApiClient) {}

  async builtTarget(_studyId: string, _variantId: string): ReturnType<StudyJobs['builtTarget']> {
    const { lease } = currentRemoteJob();
    const answer = await this.api.call<{ target: JobTarget | null }>('GET', 'jobs/target', { lease });
    const target = answer?.target ?? null;
    if (!target) return null;
    // Everything the job reads is fetched before it starts, so a measurement never waits on the network.
    for (const sha of target.blobs) await this.api.fetchBlob(lease, sha);
    return { study: target.study, variant: target.variant };
  }

  async isCancelled(_studyId: string): Promise<boolean> {
    const answer = await this.api.call<{ cancelled: boolean }>('POST', 'jobs/extend', { lease: currentRemoteJob().lease });
    return answer?.cancelled ?? false;
  }

  /** Aborts when the api reports the study cancelled on a lock extension (the host extends while the job runs). */
  watchCancellation(_studyId: string): { signal: AbortSignal; stop(): void } {
    return { signal: currentRemoteJob().cancelled.signal, stop: () => undefined };
  }

  async finished(studyId: string): Promise<void> {
    await this.api.call('POST', 'jobs/finished', { lease: currentRemoteJob().lease, body: { studyId } });
  }
}

@Injectable()
export class RemoteResults implements Pick<ResultsRepository, 'saveMeasurement'> {
  constructor(@Inject(WorkerApiClient) private readonly api: WorkerApiClient) {}

  async saveMeasurement(studyId: string, record: NewMeasurement): Promise<void> {
    await this.api.call('POST', 'jobs/measurement', { lease: currentRemoteJob().lease, body: { studyId, record } });
  }
}

/** Blob paths in the worker's cache (filled by RemoteStudyJobs.builtTarget before the processor reads them). */
@Injectable()
export class RemoteBlobs implements Pick<BlobsService, 'pathOf'> {
  constructor(@Inject(WorkerApiClient) private readonly api: WorkerApiClient) {}

  pathOf(sha256: string): string {
    return this.api.cache.pathOf(sha256);
  }
}

/** The study's dataset as the api describes it, opened from the worker's cache. */
@Injectable()
export class RemoteDatasets implements Pick<DatasetsService, 'get' | 'open'> {
  constructor(@Inject(WorkerApiClient) private readonly api: WorkerApiClient) {}

  async get(_team: TeamRef, _id: string): Promise<DatasetView> {
    const view = await this.api.call<DatasetView>('GET', 'jobs/dataset', { lease: currentRemoteJob().lease });
    if (!view) throw new Error('the api sent no dataset');
    return view;
  }

  async open(dataset: DatasetView): Promise<OpenedDataset> {
    const { path } = await this.api.fetchBlob(currentRemoteJob().lease, dataset.sha256);
    return openStoredDataset(path, dataset.format as DatasetFormat, dataset.kind as DatasetKind, dataset.preprocess ?? undefined);
  }
}
