import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql/json.scalar';

@ObjectType('Dataset')
export class DatasetType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() kind: string;
  @Field() labelled: boolean;
  @Field(() => Int) sampleCount: number;
  @Field(() => [String], { nullable: true }) classes: string[] | null;
  @Field(() => JSONScalar, { nullable: true }) preprocess: unknown;
  @Field() sha256: string;
  @Field(() => Float) sizeBytes: number;
  @Field() format: string;
  @Field() createdAt: string;
}

@ObjectType('DatasetPage')
export class DatasetPageType {
  @Field(() => [DatasetType]) items: DatasetType[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
