import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { DatasetPageType, DatasetType } from './dataset.types';
import { DatasetsService } from './datasets.service';

@Resolver(() => DatasetType)
export class DatasetsResolver {
  constructor(private readonly service: DatasetsService) {}

  @Query(() => DatasetPageType)
  datasets(
    @CurrentTeam() team: TeamRef,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { type: () => String, nullable: true }) cursor?: string,
  ) {
    return this.service.list(team, limit ?? 20, cursor ?? undefined);
  }

  @Query(() => DatasetType)
  dataset(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string) {
    return this.service.get(team, id);
  }
}
