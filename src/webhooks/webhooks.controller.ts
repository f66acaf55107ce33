import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { CreateWebhookDto } from './webhook.types';
import { WebhooksService } from './webhooks.service';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS } from '../common/http/api-errors.decorator';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Register an endpoint for study.completed / study.failed; the answer holds its signing secret, shown only this once' })
  @ApiErrors(...JSON_BODY_ERRORS, 'WEBHOOK_URL_INVALID', 'WEBHOOK_URL_UNRESOLVABLE', 'WEBHOOK_URL_FORBIDDEN')
  create(@CurrentTeam() team: TeamRef, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(team, body);
  }

  @Get()
  list(@CurrentTeam() team: TeamRef) {
    return this.webhooks.list(team);
  }

  @Get('signing-secret')
  @ApiOperation({ summary: "The team's secret that signs deliveries to a study's own webhookUrl" })
  signingSecret(@CurrentTeam() team: TeamRef) {
    return this.webhooks.signingSecret(team);
  }

  @Get(':id')
  @ApiErrors('WEBHOOK_NOT_FOUND')
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.get(team, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiErrors('WEBHOOK_NOT_FOUND')
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.delete(team, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries to the endpoint, newest first, each with every attempt (time, status code, error, duration)' })
  @ApiErrors('WEBHOOK_NOT_FOUND', 'VALIDATION_FAILED')
  deliveries(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(team, id, page.limit, page.cursor);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a webhook.test message to the endpoint' })
  @ApiErrors('WEBHOOK_NOT_FOUND')
  ping(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.ping(team, id);
  }
}
