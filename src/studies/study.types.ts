import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JSONScalar } from '../common/graphql/json.scalar';
import { INPUT_SHAPES, JSON_OBJECT } from '../common/http/json-schemas';
import { STUDY_STATUSES } from './study-status';
import { STOP_REASONS } from '../benchmark/adaptive';
import { REQUEST_ENCODINGS, type RequestEncoding } from '../benchmark/network';

/** REST schemas of two JSON-scalar fields of Study (GraphQL keeps them as JSON). */
export class StudyLinkSchema {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty() mbps: number;
  @ApiPropertyOptional() reverseMbps?: number;
  @ApiProperty() rttMs: number;
  @ApiPropertyOptional() jitterMs?: number;
  @ApiPropertyOptional({ ...JSON_OBJECT }) transport?: Record<string, unknown>;
}

export class StudyNetworkSchema {
  @ApiProperty() mobileEdgeMbps: number;
  @ApiProperty() edgeCloudMbps: number;
  @ApiProperty() rttMs: number;
  @ApiPropertyOptional({ type: () => [StudyLinkSchema], description: "the study's own links (then the three fields above are unused)" })
  links?: StudyLinkSchema[];
  @ApiPropertyOptional() origin?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'array', items: { type: 'string' } } }) paths?: string[][];
  @ApiPropertyOptional() preset?: string;
  @ApiPropertyOptional({ enum: REQUEST_ENCODINGS }) requestEncoding?: RequestEncoding;
  @ApiPropertyOptional({
    ...JSON_OBJECT,
    description: 'the request the costs were computed for: {encoding, bytes, assumed} (set once the study is ranked)',
  })
  request?: Record<string, unknown>;
}

export class StudyEffortSchema {
  @ApiProperty({ type: 'integer' }) warmup: number;
  @ApiProperty({ type: 'integer' }) runs: number;
  @ApiPropertyOptional() timeBudgetMs?: number;
  @ApiPropertyOptional({ type: 'integer' }) evalLimit?: number;
  @ApiPropertyOptional({ type: Boolean }) verify?: boolean;
}

@ObjectType('StudyFailure')
export class StudyFailureType {
  @ApiProperty({ type: String })
  @Field()
  job: string;
  @ApiPropertyOptional({ type: String })
  @Field(() => String, { nullable: true })
  variantId?: string;
  @ApiPropertyOptional({ type: String })
  @Field(() => String, { nullable: true })
  tier?: string;
  @ApiProperty({ type: String })
  @Field()
  code: string;
  @ApiProperty({ type: String })
  @Field()
  message: string;
  @ApiProperty({ type: String })
  @Field()
  at: string;
}

@ObjectType('StudyRecommendationSummary')
export class StudyRecommendationSummaryType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  variantId: string;
  @ApiProperty({ type: String })
  @Field()
  scenario: string;
  @ApiProperty({ type: String })
  @Field()
  explanation: string;
  /** With `effort.verify`: the scenario measured on a real stack beside the prediction (src/netlab/verify.ts). */
  @ApiPropertyOptional({
    ...JSON_OBJECT,
    description:
      'effort.verify: {status: measured | not-run, reason?, predictedP50Ms, measuredP50Ms?, gapPct?, flagged? (|gap| > 15 %), link?, notes?}',
  })
  @Field(() => JSONScalar, { nullable: true })
  verification?: Record<string, unknown> | null;
}

@ObjectType('Recommendation')
export class RecommendationType {
  @ApiProperty({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  rank: number | null;
  @ApiProperty({ type: String })
  @Field(() => ID)
  variantId: string;
  @ApiProperty({ type: String })
  @Field()
  scenario: string;
  @ApiProperty({ type: Boolean })
  @Field()
  feasible: boolean;
  @ApiProperty({ type: Boolean })
  @Field()
  pareto: boolean;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  latencyMs: number;
  @ApiProperty({ type: Number, nullable: true })
  @Field(() => Float, { nullable: true })
  accuracy: number | null;
  @ApiProperty({ type: String })
  @Field()
  explanation: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  @Field(() => JSONScalar)
  violations: unknown;
  @ApiProperty(JSON_OBJECT)
  @Field(() => JSONScalar)
  details: unknown;
}

@ObjectType('Measurement')
export class MeasurementType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  id: string;
  @ApiProperty({ type: String })
  @Field(() => ID)
  variantId: string;
  @ApiProperty({ type: String })
  @Field()
  tier: string;
  @ApiProperty({ type: String })
  @Field()
  part: string;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  cut: string | null;
  @ApiProperty({ type: String })
  @Field()
  method: string;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  slowdown: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  p50Ms: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  p90Ms: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  p99Ms: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  meanMs: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  stdMs: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  p50CiLowMs: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  p50CiHighMs: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  coldStartMs: number;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  peakRssBytes: number;
  @ApiProperty({ type: String })
  @Field()
  checksum: string;
  @ApiProperty(INPUT_SHAPES)
  @Field(() => JSONScalar, { nullable: true, description: '{ input: { shape, type, fill } } the measurement ran with' })
  inputShapes?: unknown;
  @ApiProperty({
    type: Boolean,
    description:
      'other work took more than the threshold of the measuring cores even after the retakes: the ranking treats this figure as uncertain',
  })
  @Field({ description: 'still disturbed by other work after its retakes; the ranking treats it as uncertain' })
  noisy: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "the kept attempt's share (0-1) of the measuring cores' time other processes used; null when not pinned",
  })
  @Field(() => Float, { nullable: true })
  foreignCpuShare: number | null;
  @ApiProperty({ type: Number, description: 'times the measurement was taken again because other work shared its cores' })
  @Field(() => Int)
  retakes: number;
  @ApiProperty({ type: String, enum: STOP_REASONS, description: 'why the timed runs stopped' })
  @Field()
  stopReason: string;
  @ApiPropertyOptional({ type: [Number] })
  @Field(() => [Float], { nullable: true })
  samplesMs?: number[];
}

@ObjectType('Study')
export class StudyType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  id: string;
  @ApiProperty({ type: String })
  @Field(() => ID)
  modelId: string;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => ID, { nullable: true })
  datasetId: string | null;
  @ApiProperty({ enum: STUDY_STATUSES })
  @Field()
  status: string;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  phase: string | null;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  progress: number;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  jobsDone: number;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  jobsTotal: number;
  @ApiProperty({ type: [String] })
  @Field(() => [String])
  tiers: string[];
  @ApiProperty({ type: [String] })
  @Field(() => [String])
  scenarios: string[];
  @ApiProperty({ type: [String] })
  @Field(() => [String])
  operators: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  @Field(() => JSONScalar)
  constraints: unknown;
  @ApiProperty({ type: () => StudyNetworkSchema })
  @Field(() => JSONScalar)
  network: unknown;
  @ApiProperty({ type: () => StudyEffortSchema })
  @Field(() => JSONScalar)
  effort: unknown;
  @ApiProperty({ ...JSON_OBJECT, nullable: true, description: 'the input spec given at creation' })
  @Field(() => JSONScalar, { nullable: true, description: 'the input spec given at creation' })
  inputs?: unknown;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  webhookUrl: string | null;
  @ApiProperty({ type: [String] })
  @Field(() => [ID])
  variantIds: string[];
  @ApiProperty({ type: () => [StudyFailureType] })
  @Field(() => [StudyFailureType])
  failures: StudyFailureType[];
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  error: string | null;
  @ApiProperty({ type: () => StudyRecommendationSummaryType, nullable: true })
  @Field(() => StudyRecommendationSummaryType, { nullable: true })
  recommendation: StudyRecommendationSummaryType | null;
  @ApiProperty({ type: String })
  @Field()
  createdAt: string;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  startedAt: string | null;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  finishedAt: string | null;
}

@ObjectType('StudyPage')
export class StudyPageType {
  @ApiProperty({ type: () => [StudyType] })
  @Field(() => [StudyType])
  items: StudyType[];
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@ObjectType('StudyProgress')
export class StudyProgressType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  studyId: string;
  @ApiProperty({ enum: STUDY_STATUSES })
  @Field()
  status: string;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  phase: string | null;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  progress: number;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  jobsDone: number;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  jobsTotal: number;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  error: string | null;
  @ApiProperty({ type: String })
  @Field()
  at: string;
}
