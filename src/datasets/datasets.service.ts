import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { TeamRef } from '../auth/teams.repository';
import { BlobsService } from '../blobs/blobs.service';
import { TierwiseError, isTierwiseError } from '../common/errors';
import { pageLimit } from '../common/pagination';
import { readMultipart } from '../common/http/multipart';
import { APP_CONFIG, type AppConfig } from '../config/env';
import type { Page } from '../models/model.views';
import { formatOf, openStoredDataset, type DatasetFormat, type OpenedDataset } from './dataset-files';
import type { DatasetView } from './dataset.views';
import { DatasetsRepository } from './datasets.repository';
import { runChild } from '../isolation/child-process';
import { childSlots } from '../isolation/child-slots';
import { childEntry } from '../isolation/entries';
import type { DatasetCheckRequest } from './dataset-check';
import type { DatasetInspection, ModelContract } from './formats';
import type { DatasetKind } from './formats/types';

const KINDS: DatasetKind[] = ['images', 'text', 'tensors', 'audio'];

@Injectable()
export class DatasetsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly datasets: DatasetsRepository,
    private readonly blobs: BlobsService,
  ) {
    childSlots.setLimit(config.CHILD_CONCURRENCY);
  }

  /** Stores the upload, checks it end to end (safe extraction, every sample readable), and records it. */
  async upload(team: TeamRef, req: Request): Promise<DatasetView> {
    let format: DatasetFormat | undefined;
    const maxBytes = Math.min(this.config.MAX_UPLOAD_BYTES, this.config.DATASET_MAX_BYTES);
    const { fields, file, filename } = await readMultipart(req, maxBytes, (stream, name) => {
      format = formatOf(name);
      return this.blobs.write(stream, maxBytes);
    }).catch((error: unknown) => {
      if (isTierwiseError(error) && error.code === 'UPLOAD_TOO_LARGE') {
        throw new TierwiseError('UPLOAD_TOO_LARGE', `the dataset exceeds ${maxBytes} bytes (DATASET_MAX_BYTES / MAX_UPLOAD_BYTES)`, {
          maxBytes,
        });
      }
      throw error;
    });
    try {
      const kind = fields.kind as DatasetKind | undefined;
      if (kind !== undefined && !KINDS.includes(kind)) throw new TierwiseError('VALIDATION_FAILED', `kind: one of ${KINDS.join(', ')}`);
      const preprocess = parseJsonField(fields.preprocess, 'preprocess');
      const inspection = (await this.check({ path: file.path, format: format!, kind, preprocess }))!;
      if (inspection.sampleCount === 0) throw new TierwiseError('DATASET_INVALID', 'the dataset holds no samples');
      if (inspection.errors.length > 0) {
        throw new TierwiseError('DATASET_INVALID', `the dataset has unreadable content: ${inspection.errors[0]}`, {
          errors: inspection.errors,
        });
      }
      const name = (fields.name ?? filename.replace(/\.(tar\.gz|tgz|tar|zip|jsonl|json)$/i, '')).trim() || 'dataset';
      return await this.datasets.create({
        teamId: team.id,
        name: name.slice(0, 200),
        kind: inspection.kind,
        labelled: inspection.labelled,
        sampleCount: inspection.sampleCount,
        classes: inspection.classes,
        preprocess,
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        format: format!,
      });
    } catch (error) {
      await this.blobs.releaseUnreferenced([file.sha256]);
      throw error;
    }
  }

  /** Runs the check of untrusted bytes in a child, bounded in number, memory and time; its failures are the dataset's. */
  private async check(request: DatasetCheckRequest): Promise<DatasetInspection | null> {
    try {
      return await childSlots.run(() =>
        runChild<DatasetInspection | null>({
          entry: childEntry('dataset'),
          input: request,
          timeoutMs: this.config.DATASET_CHECK_TIMEOUT_MS,
          envelope: { memoryMB: this.config.DATASET_CHECK_MEMORY_MB },
          label: 'dataset check',
        }),
      );
    } catch (error) {
      if (!isTierwiseError(error) || !error.code.startsWith('RUNNER_')) throw error;
      const reason =
        error.code === 'RUNNER_OOM'
          ? `reading it needs more than the ${this.config.DATASET_CHECK_MEMORY_MB} MiB a dataset check may use (DATASET_CHECK_MEMORY_MB)`
          : error.code === 'RUNNER_TIMEOUT'
            ? `reading it takes longer than DATASET_CHECK_TIMEOUT_MS (${this.config.DATASET_CHECK_TIMEOUT_MS} ms)`
            : 'the process reading it failed';
      throw new TierwiseError('DATASET_INVALID', `the dataset cannot be checked: ${reason}`);
    }
  }

  /** Fits a stored dataset's first samples to a model (in the same bounded child); throws DATASET_MISMATCH and the like. */
  async fit(dataset: DatasetView, model: ModelContract): Promise<void> {
    await this.check({
      path: this.blobs.pathOf(dataset.sha256),
      format: dataset.format as DatasetFormat,
      kind: dataset.kind as DatasetKind,
      preprocess: dataset.preprocess ?? undefined,
      model,
    });
  }

  list(team: TeamRef, limit = 20, cursor?: string): Promise<Page<DatasetView>> {
    return this.datasets.list(team.id, pageLimit(limit), cursor);
  }

  async get(team: TeamRef, id: string): Promise<DatasetView> {
    const dataset = await this.datasets.find(team.id, id);
    if (!dataset) throw new TierwiseError('DATASET_NOT_FOUND', `no dataset ${id}`);
    return dataset;
  }

  async delete(team: TeamRef, id: string): Promise<void> {
    const sha = await this.datasets.delete(team.id, id);
    if (!sha) throw new TierwiseError('DATASET_NOT_FOUND', `no dataset ${id}`);
    await this.blobs.releaseUnreferenced([sha]);
  }

  /** Opens a stored dataset for reading (evaluation, calibration); close() removes what was extracted. */
  open(dataset: DatasetView): Promise<OpenedDataset> {
    return openStoredDataset(
      this.blobs.pathOf(dataset.sha256),
      dataset.format as DatasetFormat,
      dataset.kind as DatasetKind,
      dataset.preprocess ?? undefined,
    );
  }
}

function parseJsonField(value: string | undefined, field: string): unknown {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new TierwiseError('PREPROCESS_NOT_JSON', `${field}: not valid JSON (${(error as Error).message})`);
  }
}
