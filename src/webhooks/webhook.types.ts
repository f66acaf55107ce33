import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { WEBHOOK_EVENTS, type WebhookEvent } from './webhook.views';

/** The body of `POST /v1/webhooks` and the `createWebhook` mutation's input. */
@InputType('CreateWebhookInput')
export class CreateWebhookDto {
  @ApiProperty({ example: 'https://example.com/hooks/tierwise', description: 'http or https; must resolve to public addresses' })
  @Field()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true },
    { message: 'url must be an http or https URL' },
  )
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true, default: WEBHOOK_EVENTS })
  @Field(() => [String], { nullable: true, description: `any of ${WEBHOOK_EVENTS.join(', ')}; default all` })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEvent[];

  @ApiPropertyOptional({ maxLength: 500 })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

@ObjectType('Webhook')
export class WebhookType {
  @ApiProperty({ type: String })
  @Field(() => ID)
  id: string;
  @ApiProperty({ type: String })
  @Field()
  url: string;
  @ApiProperty({ type: [String] })
  @Field(() => [String])
  events: string[];
  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true })
  description: string | null;
  @ApiProperty({ type: Boolean })
  @Field()
  active: boolean;
  @ApiProperty({ type: String })
  @Field()
  createdAt: string;
}

@ObjectType('CreatedWebhook', { description: 'the new endpoint with its signing secret, which is shown only here' })
export class CreatedWebhookType extends WebhookType {
  @ApiProperty({ type: String })
  @Field()
  secret: string;
}
