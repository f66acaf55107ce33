import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { InputShapesRecord } from '../onnx/input-spec';

export interface MeasurementRecord {
  id: string;
  variantId: string;
  tier: string;
  part: string;
  cut: string | null;
  method: string;
  slowdown: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  stdMs: number;
  p50CiLowMs: number;
  p50CiHighMs: number;
  coldStartMs: number;
  peakRssBytes: number;
  checksum: string;
  envelope: unknown;
  /** { input: { shape, type, fill } } the measurement ran with; null for measurements stored before 0005. */
  inputShapes: InputShapesRecord | null;
  /** Still disturbed by other work after its retakes (foreign share over the threshold): the ranking treats it as uncertain. */
  noisy: boolean;
  foreignCpuShare: number | null;
  retakes: number;
  stopReason: string;
  samplesMs?: number[];
  samplesRawMs?: number[];
  createdAt: string;
}

export type NewMeasurement = Omit<MeasurementRecord, 'id' | 'createdAt' | 'samplesMs' | 'samplesRawMs' | 'inputShapes'> & {
  samplesMs: number[];
  samplesRawMs: number[];
  profile?: unknown;
  inputShapes?: InputShapesRecord | null;
};

export interface AccuracyRecord {
  variantId: string;
  datasetId: string;
  metric: string;
  value: number;
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
  metrics: unknown;
  fidelity: unknown;
  payload: { meanPayloadBytes: number; meanInputBytes: number; encoded?: boolean; durationMs?: number } | null;
  /** Input shapes (first sample) and where the values came from; null for results stored before 0005. */
  inputShapes?: InputShapesRecord | null;
}

export interface RecommendationRecord {
  rank: number | null;
  variantId: string;
  scenario: string;
  feasible: boolean;
  pareto: boolean;
  latencyMs: number;
  accuracy: number | null;
  explanation: string;
  violations: unknown;
  details: unknown;
}

@Injectable()
export class ResultsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One measurement per (study, variant, tier, part): a retried job replaces what an earlier attempt stored. */
  async saveMeasurement(studyId: string, m: NewMeasurement): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.measurement.deleteMany({ where: { studyId, variantId: m.variantId, tier: m.tier, part: m.part } }),
      this.prisma.measurement.create({
        data: {
          ...m,
          studyId,
          peakRssBytes: BigInt(Math.round(m.peakRssBytes)),
          envelope: m.envelope as Prisma.InputJsonValue,
          inputShapes: (m.inputShapes ?? undefined) as Prisma.InputJsonValue | undefined,
          profile: (m.profile ?? undefined) as Prisma.InputJsonValue | undefined,
        },
      }),
    ]);
  }

  async measurements(studyId: string, withSamples: boolean): Promise<MeasurementRecord[]> {
    const rows = await this.prisma.measurement.findMany({
      where: { studyId },
      orderBy: [{ variantId: 'asc' }, { tier: 'asc' }, { part: 'asc' }],
    });
    return rows.map(({ samplesMs, samplesRawMs, peakRssBytes, createdAt, studyId: _s, profile: _p, ...rest }) => ({
      ...rest,
      inputShapes: rest.inputShapes as InputShapesRecord | null,
      peakRssBytes: Number(peakRssBytes),
      createdAt: createdAt.toISOString(),
      ...(withSamples ? { samplesMs, samplesRawMs } : {}),
    }));
  }

  async saveAccuracy(studyId: string, a: AccuracyRecord): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.accuracyResult.deleteMany({ where: { studyId, variantId: a.variantId } }),
      this.prisma.accuracyResult.create({
        data: {
          ...a,
          studyId,
          metrics: a.metrics as Prisma.InputJsonValue,
          fidelity: (a.fidelity ?? undefined) as Prisma.InputJsonValue | undefined,
          payload: (a.payload ?? undefined) as Prisma.InputJsonValue | undefined,
          inputShapes: (a.inputShapes ?? undefined) as Prisma.InputJsonValue | undefined,
        },
      }),
    ]);
  }

  async accuracy(studyId: string): Promise<AccuracyRecord[]> {
    const rows = await this.prisma.accuracyResult.findMany({ where: { studyId } });
    return rows.map((r) => ({
      variantId: r.variantId,
      datasetId: r.datasetId,
      metric: r.metric,
      value: r.value,
      n: r.n,
      ciLow: r.ciLow,
      ciHigh: r.ciHigh,
      metrics: r.metrics,
      fidelity: r.fidelity,
      payload: r.payload as AccuracyRecord['payload'],
      inputShapes: r.inputShapes as InputShapesRecord | null,
    }));
  }

  async replaceRecommendations(studyId: string, rows: RecommendationRecord[]): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.recommendation.deleteMany({ where: { studyId } }),
      this.prisma.recommendation.createMany({
        data: rows.map((r) => ({
          ...r,
          studyId,
          violations: r.violations as Prisma.InputJsonValue,
          details: r.details as Prisma.InputJsonValue,
        })),
      }),
    ]);
  }

  async recommendations(studyId: string): Promise<RecommendationRecord[]> {
    const rows = await this.prisma.recommendation.findMany({
      where: { studyId },
      orderBy: [{ feasible: 'desc' }, { rank: 'asc' }, { latencyMs: 'asc' }],
    });
    return rows.map(({ id: _id, studyId: _s, createdAt: _c, ...rest }) => rest);
  }
}
