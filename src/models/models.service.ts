import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { TeamRef } from '../auth/teams.repository';
import { BlobsService } from '../blobs/blobs.service';
import { TierwiseError } from '../common/errors';
import { pageLimit } from '../common/pagination';
import { readMultipart } from '../common/http/multipart';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { interfaceProblems } from './compatibility';
import { ModelInspector } from './model-inspector';
import type { ModelInspection, ModelView, Page, VariantView } from './model.views';
import { ModelsRepository } from './models.repository';
import { WHITE_BOX_OPERATORS, isWhiteBoxOperator } from './white-box';

const TASKS = ['classification', 'detection', 'segmentation', 'regression', 'embedding', 'other'];

@Injectable()
export class ModelsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly models: ModelsRepository,
    private readonly blobs: BlobsService,
    private readonly inspector: ModelInspector,
  ) {}

  async upload(team: TeamRef, req: Request): Promise<ModelView> {
    const { fields, file, filename } = await this.receive(req);
    try {
      const name = (fields.name ?? filename.replace(/\.onnx$/i, '')).trim();
      if (!name) throw new TierwiseError('VALIDATION_FAILED', 'name: give the model a name (field `name`)', 400);
      if (name.length > 200) throw new TierwiseError('VALIDATION_FAILED', 'name: at most 200 characters', 400);
      const task = fields.task ?? 'classification';
      if (!TASKS.includes(task)) throw new TierwiseError('VALIDATION_FAILED', `task: one of ${TASKS.join(', ')}`, 400);
      return await this.models.create({ teamId: team.id, name, task, sha256: file.sha256, sizeBytes: file.sizeBytes, inspection: file.inspection });
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
        throw new TierwiseError('VALIDATION_FAILED', `operator: one of ${WHITE_BOX_OPERATORS.join(', ')}`, 400);
      }
      const problems = interfaceProblems(model, file.inspection);
      if (problems.length > 0) {
        throw new TierwiseError('VARIANT_INCOMPATIBLE', `the variant does not fit model ${model.name}: ${problems.join('; ')}`, 422, { problems });
      }
      return await this.models.addUploadedVariant(model.id, operator, file.sha256, file.sizeBytes, fields.notes);
    } catch (error) {
      await this.blobs.releaseUnreferenced([file.sha256]);
      throw error;
    }
  }

  list(team: TeamRef, limit = 20, cursor?: string): Promise<Page<ModelView>> {
    return this.models.list(team.id, pageLimit(limit), cursor);
  }

  async get(team: TeamRef, id: string): Promise<ModelView> {
    const model = await this.models.find(team.id, id);
    if (!model) throw new TierwiseError('MODEL_NOT_FOUND', `no model ${id}`, 404);
    return model;
  }

  async delete(team: TeamRef, id: string): Promise<void> {
    const shas = await this.models.delete(team.id, id);
    if (!shas) throw new TierwiseError('MODEL_NOT_FOUND', `no model ${id}`, 404);
    await this.blobs.releaseUnreferenced(shas);
  }

  /** Streams the upload into the blob store, then inspects it; a rejected file leaves no blob behind. */
  private async receive(req: Request): Promise<{ fields: Record<string, string>; filename: string; file: { sha256: string; sizeBytes: number; inspection: ModelInspection } }> {
    const { fields, file: stored, filename } = await readMultipart(req, this.config.MAX_UPLOAD_BYTES, (stream) =>
      this.blobs.write(stream, this.config.MAX_UPLOAD_BYTES),
    );
    try {
      const inspection = await this.inspector.inspect(stored.path, stored.sizeBytes);
      return { fields, filename, file: { sha256: stored.sha256, sizeBytes: stored.sizeBytes, inspection } };
    } catch (error) {
      await this.blobs.releaseUnreferenced([stored.sha256]);
      throw error;
    }
  }
}
