import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { CreateWebhookDto, CreatedWebhookType, WebhookType } from './webhook.types';
import { WebhooksService } from './webhooks.service';

@Resolver(() => WebhookType)
export class WebhooksResolver {
  constructor(private readonly service: WebhooksService) {}

  @Query(() => [WebhookType])
  webhooks(@CurrentTeam() team: TeamRef) {
    return this.service.list(team);
  }

  @Mutation(() => CreatedWebhookType)
  createWebhook(@CurrentTeam() team: TeamRef, @Args('input') input: CreateWebhookDto) {
    return this.service.create(team, input);
  }

  @Mutation(() => Boolean)
  async deleteWebhook(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string) {
    await this.service.delete(team, id);
    return true;
  }
}
