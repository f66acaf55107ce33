import type { InputShapesRecord } from '../onnx/input-spec';
import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { ViewCache } from '../common/cache/view-cache';

export interface VariantRecord {
  id: string;
  modelId: string;
  operators: string[];
  origin: 'uploaded' | 'built';
  params: Record<string, unknown>;
  buildKey: string | null;
  parentId: string | null;
  blobSha: string | null;
  sizeBytes: number | null;
  status: 'pending' | 'building' | 'ready' | 'failed';
  error: string | null;
  report: Record<string, unknown> | null;
  /** The input shapes and fills its build probed and verified with (null for uploaded variants). */
  inputShapes: InputShapesRecord | null;
}

function toRecord(row: Prisma.VariantGetPayload<object>): VariantRecord {
  return {
    id: row.id,
    modelId: row.modelId,
    operators: row.operators,
    origin: row.origin,
    params: row.params as Record<string, unknown>,
    buildKey: row.buildKey,
    parentId: row.parentId,
    blobSha: row.blobSha,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    status: row.status,
    error: row.error,
    report: row.report as Record<string, unknown> | null,
    inputShapes: (row.inputShapes ?? null) as InputShapesRecord | null,
  };
}

/** Variants as the study flow sees them: built ones are content-addressed by buildKey and built once. */
@Injectable()
export class VariantsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly views: ViewCache,
  ) {}

  async get(id: string): Promise<VariantRecord | null> {
    const row = await this.prisma.variant.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async many(ids: string[]): Promise<VariantRecord[]> {
    const rows = await this.prisma.variant.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: 'asc' } });
    return rows.map(toRecord);
  }

  /** The variant with this build key, created as pending when missing; a failed one is reset to pending. */
  async ensureBuilt(modelId: string, buildKey: string, operators: string[], params: object, parentId: string): Promise<VariantRecord> {
    const where = { modelId_buildKey: { modelId, buildKey } };
    let row = await this.prisma.variant.findUnique({ where });
    if (!row) {
      try {
        row = await this.prisma.variant.create({
          data: { modelId, buildKey, operators, params: params as Prisma.InputJsonValue, origin: 'built', parentId, status: 'pending' },
        });
        // Only a new variant changes the model views; a study reusing a built one changes nothing.
        await this.views.changed('models');
      } catch (error) {
        // Another study created it between the read and the create: use theirs.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
        row = await this.prisma.variant.findUniqueOrThrow({ where });
      }
    }
    if (row.status === 'failed') {
      const reset = await this.prisma.variant.update({
        where: { id: row.id },
        data: { status: 'pending', error: null, report: Prisma.DbNull },
      });
      await this.views.changed('models');
      return toRecord(reset);
    }
    return toRecord(row);
  }

  async markBuilding(id: string): Promise<void> {
    await this.prisma.variant.update({ where: { id }, data: { status: 'building' } });
    await this.views.changed('models');
  }

  /** `inputShapes`: the shapes and fills the build probed and verified with ({ name: { shape, type, fill } }). */
  async markReady(id: string, blobSha: string, sizeBytes: number, report: object, inputShapes?: object | null): Promise<void> {
    await this.prisma.variant.update({
      where: { id },
      data: {
        status: 'ready',
        blobSha,
        sizeBytes: BigInt(sizeBytes),
        report: report as Prisma.InputJsonValue,
        error: null,
        ...(inputShapes ? { inputShapes: inputShapes as Prisma.InputJsonValue } : {}),
      },
    });
    await this.views.changed('models');
  }

  /** A build attempt that failed after its child ran, kept in the report's `failedAttempts`: retries cost time too. */
  async recordFailedAttempt(id: string, attempt: FailedAttempt): Promise<void> {
    const row = await this.prisma.variant.findUnique({ where: { id }, select: { report: true } });
    const report = (row?.report ?? {}) as Record<string, unknown>;
    const failedAttempts = [...failedAttemptsOf(report), attempt];
    await this.prisma.variant.update({
      where: { id },
      data: { report: { ...report, failedAttempts } as unknown as Prisma.InputJsonValue },
    });
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.prisma.variant.update({ where: { id }, data: { status: 'failed', error } });
    await this.views.changed('models');
  }
}

/** A build attempt that failed: its code, how long its child ran and when it ended (epoch ms). */
export interface FailedAttempt {
  code: string;
  wallMs: number;
  endedAt: number;
}

/** The failed build attempts a variant's report records (none when it records none). */
export function failedAttemptsOf(report: Record<string, unknown> | null | undefined): FailedAttempt[] {
  return Array.isArray(report?.failedAttempts) ? (report.failedAttempts as FailedAttempt[]) : [];
}
