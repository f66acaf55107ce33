import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { idPipe } from '../common/http/id-param';
import { DecisionService } from './decision.service';
import { WhatIfDto } from './dto/what-if.dto';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS } from '../common/http/api-errors.decorator';
import { DecisionResponse, StudyJobResponse, WhatIfResponse } from './dto/decision.responses';

/** The dashboard's decision data: what the browser recomputes with the advisor, and the server's own recomputation. */
@ApiTags('studies')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/studies')
export class DecisionController {
  constructor(private readonly decisions: DecisionService) {}

  @Get(':id/decision')
  @ApiOperation({
    summary: 'The advisor input of a completed study (measurements with samples, accuracy, payloads), its crossovers and stored figures',
  })
  @ApiErrors('STUDY_NOT_FOUND', 'STUDY_NOT_READY', 'MODEL_NOT_FOUND')
  @ApiOkResponse({ type: DecisionResponse })
  decision(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string) {
    return this.decisions.decision(team.id, id);
  }

  @Get(':id/jobs')
  @ApiOperation({
    summary: 'Every job of the study and its state (planned, queued, running, done, failed, skipped), with the failure code',
  })
  @ApiErrors('STUDY_NOT_FOUND')
  @ApiOkResponse({ type: [StudyJobResponse] })
  jobs(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string) {
    return this.decisions.jobs(team.id, id);
  }

  @Post(':id/what-if')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-rank a completed study on another network and constraints (nothing is stored)' })
  @ApiErrors(...JSON_BODY_ERRORS, 'STUDY_NOT_FOUND', 'STUDY_NOT_READY', 'MODEL_NOT_FOUND', 'NETWORK_INVALID', 'SCENARIO_INVALID')
  @ApiOkResponse({ type: WhatIfResponse })
  whatIf(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string, @Body() dto: WhatIfDto) {
    return this.decisions.whatIf(team.id, id, stripUndefined(dto.network), dto.constraints ? stripUndefined(dto.constraints) : undefined);
  }
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
