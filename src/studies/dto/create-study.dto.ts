import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
  IsBoolean,
} from 'class-validator';
import { Field, Float, ID, InputType, Int } from '@nestjs/graphql';
import { DEFAULT_TARGET_REL_CI, EFFORT_MODES, STUDY_OPERATORS, STUDY_SCENARIOS } from '../study-options';
import { JSONScalar } from '../../common/graphql/json.scalar';
import { REQUEST_ENCODINGS, type RequestEncoding } from '../../benchmark/network';

export { STUDY_OPERATORS, STUDY_SCENARIOS } from '../study-options';

const SCENARIO_PATTERN = /^[a-z][a-z0-9-]{0,39}(\|[a-z][a-z0-9-]{0,39})?$/;

@InputType('StudyConstraintsInput')
export class ConstraintsDto {
  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({
    description: "points of the task's primary metric (top-1, mAP@0.5, mIoU, 100 − CER …) tolerated below the baseline",
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  maxAccuracyDrop?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ description: 'end-to-end p95 budget, ms' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  latencyBudgetMs?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxModelBytes?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxMemoryBytes?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({
    description:
      "lowest fidelity to the baseline's outputs accepted, 0..1, with the task's label-free metric (top-1 agreement, mAP against the baseline's boxes, mask IoU, 1 − CER, cosine)",
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minFidelity?: number;
}

@InputType('StudyLinkInput')
export class LinkDto {
  @Field()
  @ApiProperty({ example: 'rpi5', description: 'a configured tier' })
  @IsString()
  from: string;

  @Field()
  @ApiProperty({ example: 'orin' })
  @IsString()
  to: string;

  @Field(() => Float)
  @ApiProperty({ description: 'bandwidth from → to, Mbps (goodput)' })
  @IsNumber()
  @Min(0.001)
  @Max(1e6)
  mbps: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ description: 'bandwidth to → from, Mbps, when it differs (default mbps)' })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(1e6)
  reverseMbps?: number;

  @Field(() => Float)
  @ApiProperty({ description: 'round-trip time, ms' })
  @IsNumber()
  @Min(0)
  @Max(60_000)
  rttMs: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ description: 'RTT spread (one standard deviation), ms: shown beside the figures; costs use the mean RTT' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(60_000)
  jitterMs?: number;

  @Field(() => JSONScalar, { nullable: true })
  @ApiPropertyOptional({
    description:
      'how TCP is used on this link: {connection, idleGapMs, tls, mtu, initialWindow, slowStartRestart, lossRate, headerBytes, endpointMs}',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  transport?: Record<string, unknown>;
}

@InputType('StudyNetworkInput')
export class NetworkDto {
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({
    enum: ['paper'],
    description: 'a named link set-up: paper = mobile–edge 200 Mbps, edge–cloud 1 Mbps, RTT 0 (the old fields override its links)',
  })
  @IsOptional()
  @IsString()
  preset?: string;

  @Field(() => [LinkDto], { nullable: true })
  @ApiPropertyOptional({
    type: [LinkDto],
    description: "the study's own topology: links between configured tiers (replaces mobileEdgeMbps, edgeCloudMbps, rttMs)",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => LinkDto)
  links?: LinkDto[];

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ description: 'the tier the request starts on (default: the first link’s from)' })
  @IsOptional()
  @IsString()
  origin?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({
    type: [String],
    example: ['rpi5 → orin → cloud-gpu'],
    description: 'paths from the origin the scenarios are drawn from (default: every maximal path over the links)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  paths?: string[];

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({
    enum: REQUEST_ENCODINGS,
    description:
      "how the client sends its input: raw-tensor (the tensors' bytes), encoded (the dataset's own file or text, decoded on the server), json-base64 (as in the paper: the encoded sample base64'd in JSON); each adds 250 B of HTTP framing. Default: encoded where the dataset has encoded samples, else raw-tensor, recorded as assumed",
  })
  @IsOptional()
  @IsIn(REQUEST_ENCODINGS)
  requestEncoding?: RequestEncoding;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ default: 200 })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(1e6)
  mobileEdgeMbps?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(1e6)
  edgeCloudMbps?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(60_000)
  rttMs?: number;
}

@InputType('StudyEffortInput')
export class EffortDto {
  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ default: 10 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  warmup?: number;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(10_000)
  runs?: number;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ description: 'run for this long per measurement instead of a fixed count' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  timeBudgetMs?: number;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({
    enum: EFFORT_MODES,
    default: 'fixed',
    description:
      "`adaptive`: timed runs continue until the p50's 95 % interval is within ±targetRelCi of it, or timeBudgetMs (default 60000) ends, or maxRuns; each measurement records its stopReason",
  })
  @IsOptional()
  @IsIn(EFFORT_MODES)
  mode?: (typeof EFFORT_MODES)[number];

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({
    default: DEFAULT_TARGET_REL_CI,
    description: "adaptive only: half-width of the p50's 95 % interval, relative (0.02 = ±2 %)",
  })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(0.5)
  targetRelCi?: number;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ description: 'adaptive only: stop after this many timed runs (default 10000)' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(1_000_000)
  maxRuns?: number;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ description: 'evaluate on at most this many samples' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  evalLimit?: number;

  @Field(() => Boolean, { nullable: true })
  @ApiPropertyOptional({
    default: false,
    description:
      "run the top recommendation's scenario for real (needs root and iproute2 on the worker): a client sends the dataset's requests over HTTP across an emulated mobile–edge link to a server running the variant; the measured p50 is reported beside the predicted one",
  })
  @IsOptional()
  @IsBoolean()
  verify?: boolean;
}

@InputType('CreateStudyInput')
export class CreateStudyDto {
  @Field(() => ID)
  @ApiProperty()
  @IsUUID()
  modelId: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ description: 'labelled or unlabelled evaluation set; also calibrates sptq' })
  @IsOptional()
  @IsUUID()
  datasetId?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ description: 'default: every configured tier' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  tiers?: string[];

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({
    type: [String],
    example: [...STUDY_SCENARIOS],
    description:
      'a tier (whole model there) or head|tail (a cut between two tiers along a path); default: mobile, edge, cloud, mobile|edge, edge|cloud, or with network.links every tier along its paths and each neighbouring cut',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @Matches(SCENARIO_PATTERN, { each: true, message: 'scenarios: each is a tier name or head|tail, e.g. orin or rpi5|orin' })
  scenarios?: string[];

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({
    enum: STUDY_OPERATORS,
    isArray: true,
    description: 'default: every operator that applies, every uploaded variant, and sptq of each',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(STUDY_OPERATORS, { each: true })
  operators?: string[];

  @Field(() => ConstraintsDto, { nullable: true })
  @ApiPropertyOptional({ type: ConstraintsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConstraintsDto)
  constraints?: ConstraintsDto;

  @Field(() => NetworkDto, { nullable: true })
  @ApiPropertyOptional({ type: NetworkDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => NetworkDto)
  network?: NetworkDto;

  @Field(() => EffortDto, { nullable: true })
  @ApiPropertyOptional({ type: EffortDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EffortDto)
  effort?: EffortDto;

  @Field(() => JSONScalar, { nullable: true })
  @ApiPropertyOptional({
    description:
      'input spec for synthetic inputs (no dataset): {"dims": {"batch": 1}, "inputs": {"<input>": {"shape": [..], "dims": {..}, "fill": "zeros"|"ones"|"random-normal"|"random-uniform"|{"kind":"range","lo":0,"hi":n}|.., "value": n}}}; ' +
      'a model with symbolic dims and no dataset needs it (422 INPUT_SPEC_REQUIRED)',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ description: 'also notified (signed) when the study ends' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl?: string;
}
