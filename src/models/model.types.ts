import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { TASKS } from '../evaluation/tasks/task';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JSONScalar } from '../common/graphql/json.scalar';
import { ANY_JSON, DIMS } from '../common/http/json-schemas';

export class BundleFileResponse {
  @ApiProperty() location: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() sha256: string;
}

export class BundleManifestResponse {
  @ApiProperty({ description: 'the .onnx file name inside the bundle' }) model: string;
  @ApiProperty({ type: () => [BundleFileResponse] }) files: BundleFileResponse[];
  @ApiProperty() totalBytes: number;
}

@ObjectType('TensorSpec')
export class TensorSpecType {
  @ApiProperty({ type: String })
  @Field()
  name: string;
  @ApiProperty({ type: String })
  @Field()
  elemType: string;
  @ApiProperty(DIMS)
  @Field(() => JSONScalar, { nullable: true, description: 'dimensions: numbers, symbolic names, or null when unknown' })
  shape: unknown;
}

@ObjectType('Variant')
export class VariantType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  id: string;
  @ApiProperty({ type: String })
  @Field(() => ID)
  modelId: string;
  @ApiProperty({ type: [String] })
  @Field(() => [String])
  operators: string[];
  @ApiProperty({ enum: ['uploaded', 'built'] })
  @Field()
  origin: string;
  @ApiProperty({ enum: ['pending', 'building', 'ready', 'failed'] })
  @Field()
  status: string;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  sha256: string | null;
  @ApiProperty({ type: Number, nullable: true })
  @Field(() => Float, { nullable: true })
  sizeBytes: number | null;
  @ApiProperty({ ...ANY_JSON, nullable: true })
  @Field(() => JSONScalar, { nullable: true })
  params: unknown;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  notes: string | null;
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  error: string | null;
  @ApiProperty({ type: String })
  @Field()
  createdAt: string;
}

@ObjectType('Model')
export class ModelType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  id: string;
  @ApiProperty({ type: String })
  @Field()
  name: string;
  @ApiProperty({ enum: [...TASKS] })
  @Field()
  task: string;
  @ApiProperty({ type: Boolean, description: 'the task was guessed from the outputs at upload, not set by a user' })
  @Field()
  taskGuessed: boolean;
  @ApiProperty({ ...ANY_JSON, description: "the task's decode spec with defaults filled" })
  @Field(() => JSONScalar)
  postprocess: Record<string, unknown>;
  @ApiProperty({ type: String })
  @Field()
  sha256: string;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  sizeBytes: number;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  opset: number;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  irVersion: number;
  @ApiProperty({ type: String })
  @Field()
  producer: string;
  @ApiProperty({ type: () => [TensorSpecType] })
  @Field(() => [TensorSpecType])
  inputs: TensorSpecType[];
  @ApiProperty({ type: () => [TensorSpecType] })
  @Field(() => [TensorSpecType])
  outputs: TensorSpecType[];
  @ApiProperty({ type: Number })
  @Field(() => Float)
  paramCount: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'op type → node count' })
  @Field(() => JSONScalar)
  opHistogram: Record<string, number>;
  @ApiProperty({ type: String })
  @Field()
  createdAt: string;
  @ApiProperty({ type: () => [VariantType] })
  @Field(() => [VariantType])
  variants: VariantType[];
  /** REST only: the bundle's data files when the weights live in external data. */
  @ApiPropertyOptional({ type: () => BundleManifestResponse })
  externalData?: BundleManifestResponse;
}

@ObjectType('ModelPage')
export class ModelPageType {
  @ApiProperty({ type: () => [ModelType] })
  @Field(() => [ModelType])
  items: ModelType[];
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

/** The body of `PATCH /v1/models/:id` and the `setModelTask` mutation's input. */
@InputType('SetModelTaskInput')
export class SetModelTaskDto {
  @ApiProperty({ enum: [...TASKS] })
  @Field()
  @IsIn([...TASKS], { message: `task must be one of ${TASKS.join(', ')}` })
  task: string;

  @ApiPropertyOptional({ ...ANY_JSON, description: "the task's postprocess spec; omitted fields get their defaults" })
  @Field(() => JSONScalar, { nullable: true })
  @IsOptional()
  @IsObject()
  postprocess?: Record<string, unknown>;
}
