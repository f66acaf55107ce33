import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminRoute, CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { TiersService } from './tiers.service';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS } from '../common/http/api-errors.decorator';
import { TierResponse } from './tier.responses';
import { CreateTierDto, UpdateTierDto } from './tier.dto';

@ApiTags('tiers')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/tiers')
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get()
  @ApiOperation({
    summary: "Each tier (the deployment's and the team's): its profile, slowdown, live workers and how their figures are taken",
  })
  @ApiOkResponse({ type: [TierResponse] })
  list(@CurrentTeam() team: TeamRef) {
    return this.tiers.list(team.id);
  }

  @Post()
  @AdminRoute()
  @ApiOperation({
    summary:
      'Add a team tier: a name, a role and an envelope, or native: true for real hardware; consumed by `tierwise worker --tier <name>`',
  })
  @ApiErrors(...JSON_BODY_ERRORS, 'TIER_INVALID', 'TIER_EXISTS', 'TEAM_ADMIN_REQUIRED')
  @ApiCreatedResponse({ type: TierResponse })
  create(@CurrentTeam() team: TeamRef, @Body() dto: CreateTierDto) {
    return this.tiers.create(team.id, dto);
  }

  @Patch(':name')
  @AdminRoute()
  @ApiOperation({ summary: "Change a team tier's role or envelope; studies already created keep the profile they started with" })
  @ApiErrors(...JSON_BODY_ERRORS, 'TIER_INVALID', 'TIER_NOT_FOUND', 'TIER_READ_ONLY', 'TEAM_ADMIN_REQUIRED')
  @ApiOkResponse({ type: TierResponse })
  update(@CurrentTeam() team: TeamRef, @Param('name') name: string, @Body() dto: UpdateTierDto) {
    return this.tiers.update(team.id, name, dto);
  }
}
