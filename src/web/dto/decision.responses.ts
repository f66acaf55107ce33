import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DIMS, JSON_OBJECT } from '../../common/http/json-schemas';

export class ModelInputResponse {
  @ApiProperty() name: string;
  @ApiPropertyOptional(DIMS) shape?: Array<number | string>;
  @ApiPropertyOptional() elemType?: string;
}

export class DecisionMeasurementResponse {
  @ApiProperty() variantId: string;
  @ApiProperty() tier: string;
  @ApiProperty() part: string;
  @ApiProperty({ type: String, nullable: true }) cut: string | null;
  @ApiProperty() method: string;
  @ApiProperty() p50Ms: number;
  @ApiProperty() p90Ms: number;
  @ApiProperty() p50CiLowMs: number;
  @ApiProperty() p50CiHighMs: number;
  @ApiProperty() coldStartMs: number;
  @ApiProperty(JSON_OBJECT) envelope: unknown;
}

/** What the dashboard's decision view starts from: the advisor's input exactly as the study's advise step built it. */
export class DecisionResponse {
  @ApiProperty() studyId: string;
  @ApiProperty({ ...JSON_OBJECT, description: 'the advisor input (src/advisor/types.ts StudyInput)' }) input: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) crossovers: unknown[];
  @ApiProperty({ type: () => [ModelInputResponse] }) modelInputs: ModelInputResponse[];
  @ApiProperty({ type: () => [DecisionMeasurementResponse] }) measurements: DecisionMeasurementResponse[];
}

export class WhatIfResponse {
  @ApiProperty({ ...JSON_OBJECT, description: 'the advisor ranking under the given network and constraints' }) ranking: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) crossovers: unknown[];
}

/** One job of a study and where it stands (src/studies/study-job-list.ts). */
export class StudyJobResponse {
  @ApiProperty({ enum: ['build', 'bench', 'evaluate', 'advise'] }) phase: string;
  @ApiProperty({ description: 'the name its failures carry: build, bench whole, bench head, bench tail, evaluate, advise' }) job: string;
  @ApiPropertyOptional() variantId?: string;
  @ApiPropertyOptional() tier?: string;
  @ApiPropertyOptional({ enum: ['whole', 'head', 'tail'] }) part?: string;
  @ApiProperty({ enum: ['planned', 'queued', 'running', 'done', 'failed', 'skipped'] }) state: string;
  @ApiPropertyOptional({ description: 'the failure code when state is failed' }) code?: string;
}
