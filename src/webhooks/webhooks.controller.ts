import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { CreateWebhookDto } from './webhook.types';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Register an endpoint for study.completed / study.failed; the answer holds its signing secret, shown only this once' })
  create(@CurrentTeam() team: TeamRef, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(team, body);
  }

  @Get()
  list(@CurrentTeam() team: TeamRef) {
    return this.webhooks.list(team);
  }

  @Get('signing-secret')
  @ApiOperation({ summary: "When the team's secret that signs deliveries to a study's own webhookUrl was made (never the secret)" })
  signingSecret(@CurrentTeam() team: TeamRef) {
    return this.webhooks.signingSecret(team);
  }

  @Post('signing-secret')
  @ApiOperation({ summary: "A new secret for deliveries to studies' own webhookUrl, replacing the old one; shown only this once" })
  rotateSigningSecret(@CurrentTeam() team: TeamRef) {
    return this.webhooks.rotateSigningSecret(team);
  }

  @Get(':id')
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.get(team, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.delete(team, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries to the endpoint, newest first, each with every attempt (time, status code, error, duration)' })
  deliveries(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(team, id, page.limit, page.cursor);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a webhook.test message to the endpoint' })
  ping(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.ping(team, id);
  }
}
