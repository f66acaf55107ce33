import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql/json.scalar';

@ObjectType('StudyFailure')
export class StudyFailureType {
  @Field() job: string;
  @Field(() => String, { nullable: true }) variantId?: string;
  @Field(() => String, { nullable: true }) tier?: string;
  @Field() code: string;
  @Field() message: string;
  @Field() at: string;
}

@ObjectType('StudyRecommendationSummary')
export class StudyRecommendationSummaryType {
  @Field(() => ID) variantId: string;
  @Field() scenario: string;
  @Field() explanation: string;
}

@ObjectType('Recommendation')
export class RecommendationType {
  @Field(() => Int, { nullable: true }) rank: number | null;
  @Field(() => ID) variantId: string;
  @Field() scenario: string;
  @Field() feasible: boolean;
  @Field() pareto: boolean;
  @Field(() => Float) latencyMs: number;
  @Field(() => Float, { nullable: true }) accuracy: number | null;
  @Field() explanation: string;
  @Field(() => JSONScalar) violations: unknown;
  @Field(() => JSONScalar) details: unknown;
}

@ObjectType('Measurement')
export class MeasurementType {
  @Field(() => ID) id: string;
  @Field(() => ID) variantId: string;
  @Field() tier: string;
  @Field() part: string;
  @Field(() => String, { nullable: true }) cut: string | null;
  @Field() method: string;
  @Field(() => Float) slowdown: number;
  @Field(() => Float) p50Ms: number;
  @Field(() => Float) p90Ms: number;
  @Field(() => Float) p99Ms: number;
  @Field(() => Float) meanMs: number;
  @Field(() => Float) stdMs: number;
  @Field(() => Float) p50CiLowMs: number;
  @Field(() => Float) p50CiHighMs: number;
  @Field(() => Float) coldStartMs: number;
  @Field(() => Float) peakRssBytes: number;
  @Field() checksum: string;
  @Field(() => JSONScalar, { nullable: true, description: '{ input: { shape, type, fill } } the measurement ran with' }) inputShapes?: unknown;
  @Field(() => [Float], { nullable: true }) samplesMs?: number[];
}

@ObjectType('Study')
export class StudyType {
  @Field(() => ID) id: string;
  @Field(() => ID) modelId: string;
  @Field(() => ID, { nullable: true }) datasetId: string | null;
  @Field() status: string;
  @Field(() => String, { nullable: true }) phase: string | null;
  @Field(() => Float) progress: number;
  @Field(() => Int) jobsDone: number;
  @Field(() => Int) jobsTotal: number;
  @Field(() => [String]) tiers: string[];
  @Field(() => [String]) scenarios: string[];
  @Field(() => [String]) operators: string[];
  @Field(() => JSONScalar) constraints: unknown;
  @Field(() => JSONScalar) network: unknown;
  @Field(() => JSONScalar) effort: unknown;
  @Field(() => JSONScalar, { nullable: true, description: 'the input spec given at creation' }) inputs?: unknown;
  @Field(() => String, { nullable: true }) webhookUrl: string | null;
  @Field(() => [ID]) variantIds: string[];
  @Field(() => [StudyFailureType]) failures: StudyFailureType[];
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => StudyRecommendationSummaryType, { nullable: true }) recommendation: StudyRecommendationSummaryType | null;
  @Field() createdAt: string;
  @Field(() => String, { nullable: true }) startedAt: string | null;
  @Field(() => String, { nullable: true }) finishedAt: string | null;
}

@ObjectType('StudyPage')
export class StudyPageType {
  @Field(() => [StudyType]) items: StudyType[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}

@ObjectType('StudyProgress')
export class StudyProgressType {
  @Field(() => ID) studyId: string;
  @Field() status: string;
  @Field(() => String, { nullable: true }) phase: string | null;
  @Field(() => Float) progress: number;
  @Field(() => Int) jobsDone: number;
  @Field(() => Int) jobsTotal: number;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field() at: string;
}
