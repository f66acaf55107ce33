import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import type { Page } from '../models/model.views';
import { PrismaService } from '../prisma/prisma.service';
import { ViewCache } from '../common/cache/view-cache';
import { pageQuery, toPage } from '../common/pagination';
import type { DatasetView } from './dataset.views';

type DatasetRow = Prisma.DatasetGetPayload<object>;

function toView(row: DatasetRow): DatasetView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    labelled: row.labelled,
    sampleCount: row.sampleCount,
    classes: (row.classes as string[] | null) ?? null,
    preprocess: row.preprocess ?? null,
    sha256: row.blobSha,
    sizeBytes: Number(row.sizeBytes),
    format: (row.meta as { format?: string }).format ?? '',
    createdAt: row.createdAt.toISOString(),
  };
}

export interface NewDataset {
  teamId: string;
  name: string;
  kind: string;
  labelled: boolean;
  sampleCount: number;
  classes?: string[];
  preprocess?: unknown;
  sha256: string;
  sizeBytes: number;
  format: string;
}

@Injectable()
export class DatasetsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly views: ViewCache,
  ) {}

  async create(d: NewDataset): Promise<DatasetView> {
    const row = await this.prisma.dataset.create({
      data: {
        teamId: d.teamId,
        name: d.name,
        kind: d.kind,
        labelled: d.labelled,
        sampleCount: d.sampleCount,
        classes: d.classes ?? undefined,
        preprocess: (d.preprocess ?? undefined) as Prisma.InputJsonValue | undefined,
        blobSha: d.sha256,
        sizeBytes: BigInt(d.sizeBytes),
        meta: { format: d.format },
      },
    });
    return toView(row);
  }

  async find(teamId: string, id: string): Promise<DatasetView | null> {
    const row = await this.prisma.dataset.findFirst({ where: { id, teamId } });
    return row ? toView(row) : null;
  }

  async list(teamId: string, limit: number, cursor?: string): Promise<Page<DatasetView>> {
    const rows = await this.prisma.dataset.findMany({ where: { teamId }, ...pageQuery(limit, cursor) });
    return toPage(rows, limit, toView);
  }

  async delete(teamId: string, id: string): Promise<string | null> {
    const row = await this.prisma.dataset.findFirst({ where: { id, teamId }, select: { blobSha: true } });
    if (!row) return null;
    await this.prisma.dataset.delete({ where: { id } });
    await this.views.changed('studies');
    return row.blobSha;
  }
}
