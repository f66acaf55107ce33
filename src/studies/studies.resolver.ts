import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { toAsyncIterator } from '../common/graphql/async-iterator';
import { progressEvent } from './study-events';
import { StudyEventsSubscriber } from './study-events.subscriber';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { CreateStudyDto } from './dto/create-study.dto';
import { StudiesService } from './studies.service';
import { MeasurementType, RecommendationType, StudyPageType, StudyProgressType, StudyType } from './study.types';
import type { StudyView } from './study.views';

@Resolver(() => StudyType)
export class StudiesResolver {
  constructor(
    private readonly service: StudiesService,
    private readonly subscriber: StudyEventsSubscriber,
  ) {}

  @Query(() => StudyPageType)
  studies(
    @CurrentTeam() team: TeamRef,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { type: () => String, nullable: true }) cursor?: string,
  ) {
    return this.service.list(team, limit ?? 20, cursor ?? undefined);
  }

  @Query(() => StudyType)
  study(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string) {
    return this.service.get(team, id);
  }

  @Mutation(() => StudyType)
  async createStudy(
    @CurrentTeam() team: TeamRef,
    @Args('input') input: CreateStudyDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ) {
    return (await this.service.create(team, input, idempotencyKey ?? undefined)).study;
  }

  @Mutation(() => StudyType)
  cancelStudy(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string) {
    return this.service.cancel(team, id);
  }

  @Subscription(() => StudyProgressType, { resolve: (event: unknown) => event, description: 'status and progress until the study ends' })
  async studyProgress(@CurrentTeam() team: TeamRef, @Args('id', { type: () => ID }) id: string) {
    const study = await this.service.get(team, id);
    const initial = progressEvent(study);
    return toAsyncIterator(this.subscriber.watch(id, initial));
  }

  @ResolveField(() => [RecommendationType])
  recommendations(@CurrentTeam() team: TeamRef, @Parent() study: StudyView) {
    return this.service.recommendations(team, study.id);
  }

  @ResolveField(() => [MeasurementType])
  measurements(
    @CurrentTeam() team: TeamRef,
    @Parent() study: StudyView,
    @Args('samples', { type: () => Boolean, nullable: true }) samples?: boolean,
  ) {
    return this.service.measurements(team, study.id, samples ?? false);
  }
}
