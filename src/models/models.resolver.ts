import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { ModelPageType, ModelType } from './model.types';
import { ModelsService } from './models.service';

@Resolver(() => ModelType)
export class ModelsResolver {
  constructor(private readonly service: ModelsService) {}

  @Query(() => ModelPageType)
  models(
    @CurrentTeam() team: TeamRef,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { type: () => String, nullable: true }) cursor?: string,
  ) {
    return this.service.list(team, limit ?? 20, cursor ?? undefined);
  }

  @Query(() => ModelType)
  model(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string) {
    return this.service.get(team, id);
  }
}
