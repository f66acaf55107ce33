import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Request } from 'express';
import type { TeamRef } from '../auth/teams.repository';
import { BlobsService } from '../blobs/blobs.service';
import { TierwiseError } from '../common/errors';
import { ViewCache } from '../common/cache/view-cache';
import { pageLimit } from '../common/pagination';
import { readMultipart } from '../common/http/multipart';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { extractArchive, DEFAULT_ARCHIVE_LIMITS } from '../datasets/formats/safe-archive';
import { interfaceProblems } from './compatibility';
import {
  bundleManifest,
  checkReferences,
  findOnnxFiles,
  stageDataFile,
  storeBundle,
  type BundleManifest,
  type ExternalReference,
} from './external-data';
import { ModelInspector, readHead } from './model-inspector';
import type { ModelInspection, ModelView, Page, VariantView } from './model.views';
import { ModelsRepository } from './models.repository';
import { WHITE_BOX_OPERATORS, isWhiteBoxOperator } from './white-box';
import { TASKS, guessTask, isTask, parsePostprocess, type Task } from '../evaluation/tasks/task';

/** Data files one multipart upload may carry beside its .onnx. */
const MAX_DATA_PARTS = 256;

@Injectable()
export class ModelsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly models: ModelsRepository,
    private readonly blobs: BlobsService,
    private readonly inspector: ModelInspector,
    private readonly views: ViewCache,
  ) {}

  async upload(team: TeamRef, req: Request): Promise<ModelView> {
    const { fields, file, filename } = await this.receive(req);
    try {
      const name = (fields.name ?? filename.replace(/\.(onnx|zip|tar\.gz|tgz|tar)$/i, '')).trim();
      if (!name) throw new TierwiseError('VALIDATION_FAILED', 'name: give the model a name (field `name`)');
      if (name.length > 200) throw new TierwiseError('VALIDATION_FAILED', 'name: at most 200 characters');
      const { task, postprocess, taskGuessed } = taskOf(fields, file.inspection.outputs);
      const created = await this.models.create({
        teamId: team.id,
        name,
        task,
        taskGuessed,
        postprocess,
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        inspection: file.inspection,
      });
      return file.externalData ? { ...created, externalData: file.externalData } : created;
    } catch (error) {
      await this.blobs.releaseUnreferenced([file.sha256]);
      throw error;
    }
  }

  async uploadVariant(team: TeamRef, modelId: string, req: Request): Promise<VariantView> {
    const model = await this.get(team, modelId);
    const { fields, file } = await this.receive(req);
    try {
      const operator = fields.operator;
      if (!isWhiteBoxOperator(operator)) {
        throw new TierwiseError('VALIDATION_FAILED', `operator: one of ${WHITE_BOX_OPERATORS.join(', ')}`);
      }
      const problems = interfaceProblems(model, file.inspection);
      if (problems.length > 0) {
        throw new TierwiseError('VARIANT_INCOMPATIBLE', `the variant does not fit model ${model.name}: ${problems.join('; ')}`, {
          problems,
        });
      }
      return await this.models.addUploadedVariant(model.id, operator, file.sha256, file.sizeBytes, fields.notes);
    } catch (error) {
      await this.blobs.releaseUnreferenced([file.sha256]);
      throw error;
    }
  }

  /** The team's models, newest first (a cached view: see ViewCache). */
  list(team: TeamRef, limit = 20, cursor?: string): Promise<Page<ModelView>> {
    const size = pageLimit(limit);
    return this.views.read('models', `${team.id}:list:${size}:${cursor ?? ''}`, () => this.models.list(team.id, size, cursor));
  }

  /** The model's view with its external-data manifest, if any (cached, frozen: see ViewCache). */
  async get(team: TeamRef, id: string): Promise<ModelView> {
    const model = await this.views.read('models', `${team.id}:${id}`, async () => {
      const found = await this.models.find(team.id, id);
      if (!found) return null;
      const externalData = await bundleManifest(this.blobs.store.bundleDir(found.sha256));
      return externalData ? { ...found, externalData } : found;
    });
    if (!model) throw new TierwiseError('MODEL_NOT_FOUND', `no model ${id}`);
    return model;
  }

  /** Sets the model's task and postprocess spec (validated, defaults filled); the task is then no longer a guess. */
  async setTask(team: TeamRef, id: string, task: string, postprocess?: Record<string, unknown>): Promise<ModelView> {
    if (!isTask(task)) throw new TierwiseError('TASK_INVALID', `task: one of ${TASKS.join(', ')}`, { task });
    const spec = parsePostprocess(task, postprocess ?? {});
    const updated = await this.models.setTask(team.id, id, task, spec as Record<string, unknown>);
    if (!updated) throw new TierwiseError('MODEL_NOT_FOUND', `no model ${id}`);
    return this.get(team, id);
  }

  async delete(team: TeamRef, id: string): Promise<void> {
    const shas = await this.models.delete(team.id, id);
    if (!shas) throw new TierwiseError('MODEL_NOT_FOUND', `no model ${id}`);
    await this.blobs.releaseUnreferenced(shas);
  }

  /**
   * Streams the upload into the blob store, then inspects it; a rejected file leaves no blob behind. `file` is an
   * .onnx (self-contained, or with its external data files in further `data` parts) or an archive holding one
   * .onnx and its data files (src/models/external-data.ts describes the checks and the bundle layout).
   */
  private async receive(req: Request): Promise<{ fields: Record<string, string>; filename: string; file: ReceivedModel }> {
    const staging = join(this.config.BLOB_DIR, 'tmp', `upload-${randomUUID()}`);
    try {
      const {
        fields,
        file: stored,
        filename,
        extras,
      } = await readMultipart(req, this.config.MAX_UPLOAD_BYTES, (stream) => this.blobs.write(stream, this.config.MAX_UPLOAD_BYTES), {
        max: MAX_DATA_PARTS,
        consume: (stream, name) => stageDataFile(join(staging, 'data'), name, stream, this.config.MAX_UPLOAD_BYTES),
      });
      let accepted: ReceivedModel;
      try {
        const archive = archiveKind(await readHead(stored.path), filename);
        accepted = archive
          ? await this.fromArchive(stored, archive, staging, extras)
          : await this.fromOnnx(stored, join(staging, 'data'), extras);
      } catch (error) {
        await this.blobs.releaseUnreferenced([stored.sha256]);
        throw error;
      }
      return { fields, filename, file: accepted };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** An .onnx part: inspected as it is, or, when it names external data, bundled with the data parts. */
  private async fromOnnx(
    stored: { sha256: string; sizeBytes: number; path: string },
    dataDir: string,
    sent: string[],
  ): Promise<ReceivedModel> {
    const probe = await this.probe(stored.path, stored.sizeBytes, sent.length > 0);
    if ('inspection' in probe) {
      if (sent.length > 0)
        throw new TierwiseError(
          'MODEL_EXTERNAL_DATA_UNUSED',
          `data files ${sent.join(', ')} were sent, but the model keeps all its weights inside the .onnx`,
          { unused: sent },
        );
      return { sha256: stored.sha256, sizeBytes: stored.sizeBytes, inspection: probe.inspection };
    }
    return this.bundle(stored, await checkReferences(probe.references, dataDir, sent));
  }

  /**
   * Inspects a model file (decoding happens in the inspection child, never here). A model with external data
   * comes back as its references when `bundled` (its data files are there to check), else as the refusal.
   */
  private async probe(
    path: string,
    sizeBytes: number,
    bundled: boolean,
  ): Promise<{ inspection: ModelInspection } | { references: ExternalReference[] }> {
    try {
      return { inspection: await this.inspector.inspect(path, sizeBytes) };
    } catch (error) {
      if (bundled && error instanceof TierwiseError && error.code === 'MODEL_EXTERNAL_DATA' && Array.isArray(error.details?.references)) {
        return { references: error.details.references as ExternalReference[] };
      }
      throw error;
    }
  }

  /** An archive: extracted safely, its one .onnx found, its data files checked and bundled. */
  private async fromArchive(
    archive: { sha256: string; sizeBytes: number; path: string },
    kind: 'zip' | 'tar.gz' | 'tar',
    staging: string,
    sent: string[],
  ): Promise<ReceivedModel> {
    if (sent.length > 0)
      throw new TierwiseError('MODEL_UPLOAD_INVALID', 'send either an archive in `file` or an .onnx with `data` parts, not both');
    const named = join(staging, `upload.${kind}`);
    await mkdir(staging, { recursive: true });
    await link(archive.path, named);
    const root = join(staging, 'archive');
    const limits = {
      ...DEFAULT_ARCHIVE_LIMITS,
      maxEntries: 10_000,
      maxTotalBytes: Math.max(DEFAULT_ARCHIVE_LIMITS.maxTotalBytes, 4 * this.config.MAX_UPLOAD_BYTES),
    };
    try {
      await extractArchive(named, root, limits);
    } catch (error) {
      if (error instanceof TierwiseError && (error.code === 'DATASET_UNSAFE' || error.code === 'DATASET_INVALID')) {
        throw new TierwiseError(
          error.code === 'DATASET_UNSAFE' ? 'MODEL_ARCHIVE_UNSAFE' : 'MODEL_ARCHIVE_INVALID',
          error.message.replace(named, 'the upload'),
          error.details,
        );
      }
      throw error;
    }
    const onnx = await findOnnxFiles(root);
    if (onnx.length !== 1) {
      throw new TierwiseError(
        'MODEL_ARCHIVE_INVALID',
        onnx.length === 0
          ? 'the archive holds no .onnx file'
          : `the archive holds ${onnx.length} .onnx files (${onnx.join(', ')}): send one model per archive`,
      );
    }
    const onnxPath = join(root, ...onnx[0].split('/'));
    const probe = await this.probe(onnxPath, (await stat(onnxPath)).size, true);
    const files = 'references' in probe ? await checkReferences(probe.references, dirname(onnxPath)) : [];
    const blob = await this.blobs.write(createReadStream(onnxPath), this.config.MAX_UPLOAD_BYTES);
    await this.blobs.releaseUnreferenced([archive.sha256]);
    try {
      if ('inspection' in probe) return { sha256: blob.sha256, sizeBytes: blob.sizeBytes, inspection: probe.inspection };
      return await this.bundle(blob, files);
    } catch (error) {
      await this.blobs.releaseUnreferenced([blob.sha256]);
      throw error;
    }
  }

  private async bundle(
    blob: { sha256: string; sizeBytes: number; path: string },
    files: Array<{ location: string; path: string; sizeBytes: number }>,
  ): Promise<ReceivedModel> {
    const dir = this.blobs.store.bundleDir(blob.sha256);
    const { manifest, created } = await storeBundle(dir, blob.path, files);
    try {
      const inspection = await this.inspector.inspect(join(dir, manifest.model), blob.sizeBytes, dir);
      return { sha256: blob.sha256, sizeBytes: blob.sizeBytes, inspection, externalData: manifest };
    } catch (error) {
      if (created) await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
}

interface ReceivedModel {
  sha256: string;
  sizeBytes: number;
  inspection: ModelInspection;
  externalData?: BundleManifest;
}

function archiveKind(head: Uint8Array, filename: string): 'zip' | 'tar.gz' | 'tar' | undefined {
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)) return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (/\.tar$/i.test(filename)) return 'tar';
  return undefined;
}

/**
 * The task of an upload: the `task` field when given (TASK_INVALID otherwise), else a guess from the outputs,
 * recorded as one (`taskGuessed`). A `postprocess` field (JSON) is validated against the task, defaults filled.
 */
function taskOf(
  fields: Record<string, string>,
  outputs: { name: string; shape: (number | string | null)[] | null }[],
): { task: Task; postprocess: Record<string, unknown>; taskGuessed: boolean } {
  let raw: unknown;
  if (fields.postprocess !== undefined) {
    try {
      raw = JSON.parse(fields.postprocess);
    } catch {
      throw new TierwiseError('POSTPROCESS_INVALID', 'postprocess: the form field is not JSON');
    }
  }
  if (fields.task !== undefined) {
    if (!isTask(fields.task)) throw new TierwiseError('TASK_INVALID', `task: one of ${TASKS.join(', ')}`, { task: fields.task });
    return { task: fields.task, postprocess: parsePostprocess(fields.task, raw) as Record<string, unknown>, taskGuessed: false };
  }
  const guess = guessTask(outputs);
  const postprocess = raw === undefined ? guess.postprocess : parsePostprocess(guess.task, raw);
  return { task: guess.task, postprocess: postprocess as Record<string, unknown>, taskGuessed: true };
}
