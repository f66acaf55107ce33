import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { ModelPageType, ModelType, SetModelTaskDto } from './model.types';
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

  @Mutation(() => ModelType, { description: "Sets a model's task and postprocess spec" })
  setModelTask(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string, @Args('input') input: SetModelTaskDto) {
    return this.service.setTask(team, id, input.task, input.postprocess);
  }
}
