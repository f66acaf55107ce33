import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { ViewCache } from '../common/cache/view-cache';
import { pageQuery, toPage } from '../common/pagination';
import type { Page } from '../models/model.views';
import type { AdvisorReport } from '../advisor';
import { TERMINAL_STATUSES, type TerminalStatus } from './study-status';
import type { StudyFailure, StudyStatus, StudyView } from './study.views';

/** What a study view reads: every column but the stored report (`result`), which only the report routes load. */
const viewSelect = {
  id: true,
  modelId: true,
  datasetId: true,
  status: true,
  phase: true,
  jobsDone: true,
  jobsTotal: true,
  tiers: true,
  scenarios: true,
  operators: true,
  constraints: true,
  network: true,
  effort: true,
  inputs: true,
  tierProfiles: true,
  webhookUrl: true,
  failures: true,
  error: true,
  recommendation: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  variants: { select: { variantId: true } },
} satisfies Prisma.StudySelect;
const workerSelect = { ...viewSelect, teamId: true, correlationId: true } satisfies Prisma.StudySelect;
type StudyRow = Prisma.StudyGetPayload<{ select: typeof viewSelect }>;

function toView(row: StudyRow): StudyView {
  return {
    id: row.id,
    modelId: row.modelId,
    datasetId: row.datasetId,
    status: row.status,
    phase: row.phase,
    progress: row.jobsTotal === 0 ? 0 : Math.min(1, row.jobsDone / row.jobsTotal),
    jobsDone: row.jobsDone,
    jobsTotal: row.jobsTotal,
    tiers: row.tiers as string[],
    scenarios: row.scenarios as string[],
    operators: row.operators as string[],
    constraints: row.constraints as Record<string, number>,
    network: row.network as unknown as StudyView['network'],
    effort: row.effort as StudyView['effort'],
    inputs: (row.inputs ?? null) as StudyView['inputs'],
    tierProfiles: (row.tierProfiles ?? null) as StudyView['tierProfiles'],
    webhookUrl: row.webhookUrl,
    variantIds: row.variants.map((v) => v.variantId),
    failures: row.failures as unknown as StudyFailure[],
    error: row.error,
    recommendation: (row.recommendation ?? null) as StudyView['recommendation'],
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** The recommendation of an outcome, for its own column (Prisma.DbNull: none). */
function recommendationOf(result: object | undefined): Prisma.InputJsonValue | typeof Prisma.DbNull | undefined {
  if (result === undefined) return undefined;
  const recommendation = (result as { recommendation?: unknown }).recommendation;
  return recommendation && typeof recommendation === 'object' ? (recommendation as Prisma.InputJsonValue) : Prisma.DbNull;
}

export interface NewStudy {
  teamId: string;
  modelId: string;
  datasetId?: string;
  idempotencyKey?: string;
  tiers: string[];
  scenarios: string[];
  operators: string[];
  constraints: object;
  network: object;
  effort: object;
  inputs?: object;
  tierProfiles?: object;
  webhookUrl?: string;
  correlationId?: string;
  queuePrefix: string;
  jobsTotal: number;
  variantIds: string[];
}

@Injectable()
export class StudiesRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly views: ViewCache,
  ) {}

  /** Creates the study, or returns the one already created with the same idempotency key (and false). */
  async create(study: NewStudy): Promise<{ study: StudyView; created: boolean }> {
    if (study.idempotencyKey) {
      const existing = await this.findByIdempotencyKey(study.teamId, study.idempotencyKey);
      if (existing) return { study: existing, created: false };
    }
    try {
      const row = await this.prisma.study.create({
        data: {
          teamId: study.teamId,
          modelId: study.modelId,
          datasetId: study.datasetId ?? null,
          idempotencyKey: study.idempotencyKey ?? null,
          tiers: study.tiers,
          scenarios: study.scenarios,
          operators: study.operators,
          constraints: study.constraints as Prisma.InputJsonValue,
          network: study.network as Prisma.InputJsonValue,
          effort: study.effort as Prisma.InputJsonValue,
          inputs: (study.inputs ?? undefined) as Prisma.InputJsonValue | undefined,
          tierProfiles: (study.tierProfiles ?? undefined) as Prisma.InputJsonValue | undefined,
          webhookUrl: study.webhookUrl ?? null,
          correlationId: study.correlationId ?? null,
          queuePrefix: study.queuePrefix,
          jobsTotal: study.jobsTotal,
          variants: { create: study.variantIds.map((variantId) => ({ variantId })) },
        },
        select: viewSelect,
      });
      await this.views.changed('studies');
      return { study: toView(row), created: true };
    } catch (error) {
      if (study.idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const existing = await this.findByIdempotencyKey(study.teamId, study.idempotencyKey);
        if (existing) return { study: existing, created: false };
      }
      throw error;
    }
  }

  async findByIdempotencyKey(teamId: string, idempotencyKey: string): Promise<StudyView | null> {
    const row = await this.prisma.study.findUnique({ where: { teamId_idempotencyKey: { teamId, idempotencyKey } }, select: viewSelect });
    return row ? toView(row) : null;
  }

  async find(teamId: string, id: string): Promise<StudyView | null> {
    const row = await this.prisma.study.findFirst({ where: { id, teamId }, select: viewSelect });
    return row ? toView(row) : null;
  }

  /** For workers, which act on ids from job payloads. */
  async get(id: string): Promise<(StudyView & { teamId: string; correlationId: string | null }) | null> {
    const row = await this.prisma.study.findUnique({ where: { id }, select: workerSelect });
    return row ? { ...toView(row), teamId: row.teamId, correlationId: row.correlationId } : null;
  }

  async list(teamId: string, limit: number, cursor?: string): Promise<Page<StudyView>> {
    const rows = await this.prisma.study.findMany({ where: { teamId }, ...pageQuery(limit, cursor), select: viewSelect });
    return toPage(rows, limit, toView);
  }

  /** Non-terminal studies, for the reconciler. */
  async active(queuePrefix: string, settledMs = 30_000): Promise<Array<{ id: string; phase: string | null; status: StudyStatus }>> {
    return this.prisma.study.findMany({
      where: { queuePrefix, status: { notIn: [...TERMINAL_STATUSES] }, createdAt: { lt: new Date(Date.now() - settledMs) } },
      select: { id: true, phase: true, status: true },
    });
  }

  /** Moves the study on unless it already ended (a cancelled study stays cancelled). Returns whether it moved. */
  async advance(id: string, status: StudyStatus, phase: string | null, extra: { jobsTotal?: number } = {}): Promise<boolean> {
    const { count } = await this.prisma.study.updateMany({
      where: { id, status: { notIn: [...TERMINAL_STATUSES] } },
      data: { status, phase, ...extra },
    });
    if (count > 0 && status !== 'queued')
      await this.prisma.study.updateMany({ where: { id, startedAt: null }, data: { startedAt: new Date() } });
    if (count > 0) await this.views.changed('studies');
    return count > 0;
  }

  /** How many of the team's studies have not ended (the open-studies quota). */
  openCount(teamId: string): Promise<number> {
    return this.prisma.study.count({ where: { teamId, status: { notIn: [...TERMINAL_STATUSES] } } });
  }

  /** The team's studies that have not ended, and how many of them are older than this one (for fair share). */
  async teamLoad(id: string): Promise<{ inFlight: number; rank: number }> {
    const study = await this.prisma.study.findUnique({ where: { id }, select: { teamId: true, createdAt: true } });
    if (!study) return { inFlight: 1, rank: 0 };
    const open = { teamId: study.teamId, status: { notIn: [...TERMINAL_STATUSES] } };
    const [inFlight, rank] = await Promise.all([
      this.prisma.study.count({ where: open }),
      this.prisma.study.count({ where: { ...open, createdAt: { lt: study.createdAt } } }),
    ]);
    return { inFlight, rank };
  }

  async jobFinished(id: string, count = 1): Promise<void> {
    await this.prisma.study.update({ where: { id }, data: { jobsDone: { increment: count } } });
    await this.views.changed('studies');
  }

  async addFailure(id: string, failure: StudyFailure): Promise<void> {
    await this.prisma.$executeRaw`update "Study" set failures = failures || ${JSON.stringify([failure])}::jsonb where id = ${id}`;
    await this.views.changed('studies');
  }

  async finish(id: string, outcome: { status: TerminalStatus; error?: string; result?: object }): Promise<boolean> {
    const { count } = await this.prisma.study.updateMany({
      where: { id, status: { notIn: [...TERMINAL_STATUSES] } },
      data: {
        status: outcome.status,
        error: outcome.error ?? null,
        result: outcome.result as Prisma.InputJsonValue | undefined,
        recommendation: recommendationOf(outcome.result),
        finishedAt: new Date(),
      },
    });
    if (count > 0) await this.views.changed('studies');
    return count > 0;
  }

  async report(id: string): Promise<AdvisorReport | null> {
    const row = await this.prisma.study.findUnique({ where: { id }, select: { result: true } });
    return (row?.result as { report?: AdvisorReport } | null)?.report ?? null;
  }

  async completeProgress(id: string): Promise<void> {
    await this.prisma.$executeRaw`update "Study" set "jobsDone" = "jobsTotal" where id = ${id}`;
    await this.views.changed('studies');
  }
}
