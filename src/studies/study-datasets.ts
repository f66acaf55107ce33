import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeSample } from '../benchmark/inputs';
import { TierwiseError, isTierwiseError } from '../common/errors';
import type { OpenedDataset } from '../datasets/dataset-files';
import { DatasetsService } from '../datasets/datasets.service';
import { loadDataset } from '../datasets/formats';
import type { PreprocessSpec } from '../datasets/formats/preprocess-spec';
import type { DatasetKind } from '../datasets/formats/types';
import type { TensorSpec } from '../onnx/io-spec';

export interface OpenedStudyDataset {
  /** What a child process needs to read the dataset: the extracted path and the parsed spec. */
  forChild: { path: string; kind: DatasetKind; preprocess?: PreprocessSpec; labelled: boolean };
  datasetId: string;
  /** The first `limit` samples as a runner samples file (batch 1, model-ready). */
  samplesFile(limit: number, modelInputs: TensorSpec[]): Promise<string>;
  close(): Promise<void>;
}

interface Extracted {
  opened: OpenedDataset;
  labelled: boolean;
  scratch: string;
  samples: Map<string, Promise<string>>;
  users: number;
  idle?: NodeJS.Timeout;
}

/** How long an extracted dataset stays on disk after its last job, for the next job of the same study. */
const IDLE_MS = 120_000;

/**
 * Opens a study's dataset in a worker. A study's jobs come one after another, so the extracted archive and the
 * samples files are kept per process while jobs use them (and briefly after): each job would otherwise extract
 * the archive again, work that also lands on the cores a measurement uses.
 */
@Injectable()
export class StudyDatasets implements OnModuleDestroy {
  private readonly cache = new Map<string, Promise<Extracted>>();

  constructor(private readonly datasets: DatasetsService) {}

  async open(teamId: string, datasetId: string): Promise<OpenedStudyDataset> {
    // Only a missing row means the dataset was deleted; any other error (a dropped connection) is retried.
    const view = await this.datasets.get({ id: teamId, name: '' }, datasetId).catch((error: unknown) => {
      if (isTierwiseError(error) && error.code === 'DATASET_NOT_FOUND')
        throw new TierwiseError('DATASET_NOT_FOUND', `the study's dataset ${datasetId} was deleted`);
      throw error;
    });
    const key = `${datasetId}:${view.sha256}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.extract(view);
      this.cache.set(key, pending);
      pending.catch(() => this.cache.delete(key));
    }
    const entry = await pending;
    entry.users++;
    if (entry.idle) clearTimeout(entry.idle);
    const forChild = {
      path: entry.opened.source.path,
      kind: entry.opened.source.kind,
      preprocess: entry.opened.preprocess,
      labelled: entry.labelled,
    };
    let closed = false;
    return {
      forChild,
      datasetId,
      samplesFile: (limit, modelInputs) => {
        const signature = `${limit}:${modelInputs.map((s) => `${s.name}/${s.elemType}/${(s.shape ?? []).join('x')}`).join(',')}`;
        let file = entry.samples.get(signature);
        if (!file) {
          file = writeSamples(forChild, join(entry.scratch, `samples-${entry.samples.size}.json`), limit, modelInputs);
          entry.samples.set(signature, file);
          file.catch(() => entry.samples.delete(signature));
        }
        return file;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        if (--entry.users === 0) {
          entry.idle = setTimeout(() => void this.dispose(key), IDLE_MS);
          entry.idle.unref();
        }
      },
    };
  }

  private async extract(view: Awaited<ReturnType<DatasetsService['get']>>): Promise<Extracted> {
    const opened = await this.datasets.open(view);
    return { opened, labelled: view.labelled, scratch: await mkdtemp(join(tmpdir(), 'tierwise-samples-')), samples: new Map(), users: 0 };
  }

  private async dispose(key: string): Promise<void> {
    const pending = this.cache.get(key);
    const entry = await pending?.catch(() => undefined);
    if (!entry || entry.users > 0) return;
    this.cache.delete(key);
    if (entry.idle) clearTimeout(entry.idle);
    await entry.opened.close();
    await rm(entry.scratch, { recursive: true, force: true });
  }

  async onModuleDestroy(): Promise<void> {
    for (const pending of this.cache.values()) {
      const entry = await pending.catch(() => undefined);
      if (entry) entry.users = 0;
    }
    await Promise.all([...this.cache.keys()].map((key) => this.dispose(key)));
  }
}

async function writeSamples(
  dataset: OpenedStudyDataset['forChild'],
  file: string,
  limit: number,
  modelInputs: TensorSpec[],
): Promise<string> {
  const { samples } = await loadDataset(dataset.path, { kind: dataset.kind, preprocess: dataset.preprocess, modelInputs, limit });
  await writeFile(file, JSON.stringify(samples.map((s) => serializeSample(s.id, s.inputs))));
  return file;
}
