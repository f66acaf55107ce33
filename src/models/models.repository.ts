import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { ViewCache } from '../common/cache/view-cache';
import { pageQuery, toPage } from '../common/pagination';
import type { TensorSpec } from '../onnx/io-spec';
import type { ModelInspection, ModelView, Page, VariantView } from './model.views';

const withVariants = { variants: { orderBy: { createdAt: 'asc' } } } satisfies Prisma.ModelInclude;
type ModelRow = Prisma.ModelGetPayload<{ include: typeof withVariants }>;
type VariantRow = Prisma.VariantGetPayload<object>;

export function toVariantView(row: VariantRow): VariantView {
  return {
    id: row.id,
    modelId: row.modelId,
    operators: row.operators,
    origin: row.origin,
    status: row.status,
    sha256: row.blobSha,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    params: row.params,
    notes: row.notes,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
  };
}

function toModelView(row: ModelRow): ModelView {
  return {
    id: row.id,
    name: row.name,
    task: row.task,
    taskGuessed: row.taskGuessed,
    postprocess: (row.postprocess ?? {}) as Record<string, unknown>,
    sha256: row.blobSha,
    sizeBytes: Number(row.sizeBytes),
    opset: row.opset,
    irVersion: row.irVersion,
    producer: row.producer,
    inputs: row.inputs as unknown as TensorSpec[],
    outputs: row.outputs as unknown as TensorSpec[],
    paramCount: Number(row.paramCount),
    opHistogram: row.opHistogram as Record<string, number>,
    createdAt: row.createdAt.toISOString(),
    variants: row.variants.map(toVariantView),
  };
}

export interface NewModel {
  teamId: string;
  name: string;
  task: string;
  taskGuessed: boolean;
  postprocess: Record<string, unknown>;
  sha256: string;
  sizeBytes: number;
  inspection: ModelInspection;
}

@Injectable()
export class ModelsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly views: ViewCache,
  ) {}

  /** The model and its baseline ("identity") variant, which points at the same blob. */
  async create(model: NewModel): Promise<ModelView> {
    const { inspection } = model;
    const row = await this.prisma.model.create({
      data: {
        teamId: model.teamId,
        name: model.name,
        task: model.task,
        taskGuessed: model.taskGuessed,
        postprocess: model.postprocess as Prisma.InputJsonValue,
        blobSha: model.sha256,
        sizeBytes: BigInt(model.sizeBytes),
        opset: inspection.opset,
        irVersion: inspection.irVersion,
        producer: inspection.producer,
        inputs: inspection.inputs as unknown as Prisma.InputJsonValue,
        outputs: inspection.outputs as unknown as Prisma.InputJsonValue,
        paramCount: BigInt(inspection.paramCount),
        opHistogram: inspection.opHistogram,
        variants: {
          create: {
            operators: ['identity'],
            origin: 'uploaded',
            blobSha: model.sha256,
            sizeBytes: BigInt(model.sizeBytes),
            status: 'ready',
          },
        },
      },
      include: withVariants,
    });
    await this.views.changed('models');
    return toModelView(row);
  }

  async find(teamId: string, id: string): Promise<ModelView | null> {
    const row = await this.prisma.model.findFirst({ where: { id, teamId }, include: withVariants });
    return row ? toModelView(row) : null;
  }

  async list(teamId: string, limit: number, cursor?: string): Promise<Page<ModelView>> {
    const rows = await this.prisma.model.findMany({ where: { teamId }, ...pageQuery(limit, cursor), include: withVariants });
    return toPage(rows, limit, toModelView);
  }

  /** Sets the task and its postprocess spec (a user's choice: no longer a guess). */
  async setTask(teamId: string, id: string, task: string, postprocess: Record<string, unknown>): Promise<ModelView | null> {
    const found = await this.prisma.model.updateMany({
      where: { id, teamId },
      data: { task, postprocess: postprocess as Prisma.InputJsonValue, taskGuessed: false },
    });
    if (found.count > 0) await this.views.changed('models');
    return found.count === 0 ? null : this.find(teamId, id);
  }

  /** Deletes the model with its variants; returns every blob they referred to. */
  async delete(teamId: string, id: string): Promise<string[] | null> {
    const row = await this.prisma.model.findFirst({ where: { id, teamId }, include: { variants: { select: { blobSha: true } } } });
    if (!row) return null;
    await this.prisma.model.delete({ where: { id } });
    await this.views.changed('models', 'studies');
    return [row.blobSha, ...row.variants.map((v) => v.blobSha).filter((sha): sha is string => sha !== null)];
  }

  async addUploadedVariant(modelId: string, operator: string, sha256: string, sizeBytes: number, notes?: string): Promise<VariantView> {
    const row = await this.prisma.variant.create({
      data: {
        modelId,
        operators: [operator],
        origin: 'uploaded',
        blobSha: sha256,
        sizeBytes: BigInt(sizeBytes),
        status: 'ready',
        notes: notes ?? null,
      },
    });
    await this.views.changed('models');
    return toVariantView(row);
  }
}
