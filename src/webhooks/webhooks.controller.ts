import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { CreateWebhookDto, CreatedWebhookType, WebhookType } from './webhook.types';
import { WebhooksService } from './webhooks.service';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS } from '../common/http/api-errors.decorator';
import { DeliveryPageResponse, DeliveryResponse, RotatedSigningSecretResponse, SigningSecretStatusResponse } from './webhook.responses';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Register an endpoint for study.completed / study.failed; the answer holds its signing secret, shown only this once',
  })
  @ApiErrors(...JSON_BODY_ERRORS, 'WEBHOOK_URL_INVALID', 'WEBHOOK_URL_UNRESOLVABLE', 'WEBHOOK_URL_FORBIDDEN')
  @ApiCreatedResponse({ type: CreatedWebhookType })
  create(@CurrentTeam() team: TeamRef, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(team, body);
  }

  @Get()
  @ApiOkResponse({ type: [WebhookType] })
  list(@CurrentTeam() team: TeamRef) {
    return this.webhooks.list(team);
  }

  @Get('signing-secret')
  @ApiOperation({ summary: "When the team's secret that signs deliveries to a study's own webhookUrl was made (never the secret)" })
  @ApiOkResponse({ type: SigningSecretStatusResponse })
  signingSecret(@CurrentTeam() team: TeamRef) {
    return this.webhooks.signingSecret(team);
  }

  @Post('signing-secret')
  @ApiOperation({ summary: "A new secret for deliveries to studies' own webhookUrl, replacing the old one; shown only this once" })
  @ApiCreatedResponse({ type: RotatedSigningSecretResponse })
  rotateSigningSecret(@CurrentTeam() team: TeamRef) {
    return this.webhooks.rotateSigningSecret(team);
  }

  @Get(':id')
  @ApiErrors('WEBHOOK_NOT_FOUND')
  @ApiOkResponse({ type: WebhookType })
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.get(team, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiErrors('WEBHOOK_NOT_FOUND')
  @ApiNoContentResponse({ description: 'deleted' })
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.delete(team, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries to the endpoint, newest first, each with every attempt (time, status code, error, duration)' })
  @ApiErrors('WEBHOOK_NOT_FOUND', 'VALIDATION_FAILED')
  @ApiOkResponse({ type: DeliveryPageResponse })
  deliveries(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(team, id, page.limit, page.cursor);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a webhook.test message to the endpoint' })
  @ApiErrors('WEBHOOK_NOT_FOUND')
  @ApiAcceptedResponse({ type: DeliveryResponse, description: 'the test delivery, queued' })
  ping(@CurrentTeam() team: TeamRef, @Param('id', idPipe('webhook')) id: string) {
    return this.webhooks.ping(team, id);
  }
}
