import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql/json.scalar';

@ObjectType('TensorSpec')
export class TensorSpecType {
  @Field() name: string;
  @Field() elemType: string;
  @Field(() => JSONScalar, { nullable: true, description: 'dimensions: numbers, symbolic names, or null when unknown' })
  shape: unknown;
}

@ObjectType('Variant')
export class VariantType {
  @Field(() => ID) id: string;
  @Field(() => ID) modelId: string;
  @Field(() => [String]) operators: string[];
  @Field() origin: string;
  @Field() status: string;
  @Field(() => String, { nullable: true }) sha256: string | null;
  @Field(() => Float, { nullable: true }) sizeBytes: number | null;
  @Field(() => JSONScalar, { nullable: true }) params: unknown;
  @Field(() => String, { nullable: true }) notes: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field() createdAt: string;
}

@ObjectType('Model')
export class ModelType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() task: string;
  @Field() sha256: string;
  @Field(() => Float) sizeBytes: number;
  @Field(() => Int) opset: number;
  @Field(() => Int) irVersion: number;
  @Field() producer: string;
  @Field(() => [TensorSpecType]) inputs: TensorSpecType[];
  @Field(() => [TensorSpecType]) outputs: TensorSpecType[];
  @Field(() => Float) paramCount: number;
  @Field(() => JSONScalar) opHistogram: Record<string, number>;
  @Field() createdAt: string;
  @Field(() => [VariantType]) variants: VariantType[];
}

@ObjectType('ModelPage')
export class ModelPageType {
  @Field(() => [ModelType]) items: ModelType[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
