import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { JSONScalar } from '../common/graphql/json.scalar';
import { ANY_JSON } from '../common/http/json-schemas';

@ObjectType('Dataset')
export class DatasetType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  id: string;
  @ApiProperty({ type: String })
  @Field()
  name: string;
  @ApiProperty({ type: String })
  @Field()
  kind: string;
  @ApiProperty({ type: Boolean })
  @Field()
  labelled: boolean;
  @ApiProperty({ type: 'integer' })
  @Field(() => Int)
  sampleCount: number;
  @ApiProperty({ type: [String], nullable: true })
  @Field(() => [String], { nullable: true })
  classes: string[] | null;
  @ApiProperty({ ...ANY_JSON, nullable: true, description: 'the preprocess spec' })
  @Field(() => JSONScalar, { nullable: true })
  preprocess: unknown;
  @ApiProperty({ type: String })
  @Field()
  sha256: string;
  @ApiProperty({ type: Number })
  @Field(() => Float)
  sizeBytes: number;
  @ApiProperty({ type: String })
  @Field()
  format: string;
  @ApiProperty({ type: String })
  @Field()
  createdAt: string;
}

@ObjectType('DatasetPage')
export class DatasetPageType {
  @ApiProperty({ type: () => [DatasetType] })
  @Field(() => [DatasetType])
  items: DatasetType[];
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}
