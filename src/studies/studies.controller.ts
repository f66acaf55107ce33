import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseBoolPipe,
  Post,
  Query,
  Res,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { TierwiseError } from '../common/errors';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { CreateStudyDto } from './dto/create-study.dto';
import { StudiesService, type ReportFormat } from './studies.service';
import { progressEvent } from './study-events';
import { StudyEventsSubscriber } from './study-events.subscriber';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS } from '../common/http/api-errors.decorator';
import { MeasurementResponse } from './dto/study-responses';
import { RecommendationType, StudyPageType, StudyProgressType, StudyType } from './study.types';

const FORMATS: ReportFormat[] = ['json', 'csv', 'html'];

@ApiTags('studies')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/studies')
export class StudiesController {
  constructor(
    private readonly studies: StudiesService,
    private readonly subscriber: StudyEventsSubscriber,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a study: build variants, benchmark them per tier, evaluate, rank and explain' })
  @ApiHeader({ name: 'idempotency-key', required: false, description: 'a retried request with the same key returns the same study' })
  @ApiErrors(
    ...JSON_BODY_ERRORS,
    'MODEL_NOT_FOUND',
    'DATASET_NOT_FOUND',
    'INPUT_SPEC_INVALID',
    'INPUT_SPEC_REQUIRED',
    'INPUT_UNSUPPORTED',
    'INPUT_INVALID',
    'DATASET_MISMATCH',
    'DATASET_INVALID',
    'PREPROCESS_INVALID',
    'WEBHOOK_URL_INVALID',
    'WEBHOOK_URL_UNRESOLVABLE',
    'WEBHOOK_URL_FORBIDDEN',
    'STUDY_INVALID',
    'NETWORK_INVALID',
  )
  @ApiAcceptedResponse({ type: StudyType, description: 'the study, queued (or the first one made with the same Idempotency-Key)' })
  async create(@CurrentTeam() team: TeamRef, @Body() dto: CreateStudyDto, @Headers('idempotency-key') key?: string) {
    return (await this.studies.create(team, dto, key)).study;
  }

  @Get()
  @ApiErrors('VALIDATION_FAILED')
  @ApiOkResponse({ type: StudyPageType })
  list(@CurrentTeam() team: TeamRef, @Query() page: PageQuery) {
    return this.studies.list(team, page.limit, page.cursor);
  }

  @Get(':id')
  @ApiErrors('STUDY_NOT_FOUND')
  @ApiOkResponse({ type: StudyType })
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string) {
    return this.studies.get(team, id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Cancel: queued work is removed, running work stops, results so far stay readable' })
  @ApiErrors('STUDY_NOT_FOUND', 'STUDY_FINISHED')
  @ApiOkResponse({ type: StudyType })
  cancel(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string) {
    return this.studies.cancel(team, id);
  }

  @Sse(':id/events')
  @ApiExtraModels(StudyProgressType)
  @ApiOperation({ summary: 'Server-sent events: status and progress until the study ends' })
  @ApiErrors('STUDY_NOT_FOUND')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: '`progress` events, each a StudyProgress JSON object, until the study ends',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async events(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string): Promise<Observable<MessageEvent>> {
    const study = await this.studies.get(team, id);
    const initial = progressEvent(study);
    return this.subscriber.watch(id, initial).pipe(map((event) => ({ type: 'progress', data: event })));
  }

  @Get(':id/measurements')
  @ApiQuery({ name: 'samples', required: false, type: Boolean, description: 'include every latency sample (raw and tier-scaled)' })
  @ApiErrors('STUDY_NOT_FOUND', 'VALIDATION_FAILED')
  @ApiOkResponse({ type: [MeasurementResponse] })
  measurements(
    @CurrentTeam() team: TeamRef,
    @Param('id', idPipe('study')) id: string,
    @Query('samples', new ParseBoolPipe({ optional: true })) samples?: boolean,
  ) {
    return this.studies.measurements(team, id, samples ?? false);
  }

  @Get(':id/recommendations')
  @ApiErrors('STUDY_NOT_FOUND', 'STUDY_NOT_READY')
  @ApiOkResponse({ type: [RecommendationType] })
  recommendations(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string) {
    return this.studies.recommendations(team, id);
  }

  @Get(':id/report')
  @ApiQuery({ name: 'format', required: false, enum: FORMATS })
  @ApiErrors('STUDY_NOT_FOUND', 'STUDY_NOT_READY', 'VALIDATION_FAILED')
  @ApiProduces('application/json', 'text/csv', 'text/html')
  @ApiOkResponse({
    description: 'the advisor report: JSON, a CSV table or a self-contained HTML page',
    content: {
      'application/json': { schema: { type: 'object', additionalProperties: true } },
      'text/csv': { schema: { type: 'string' } },
      'text/html': { schema: { type: 'string' } },
    },
  })
  async report(
    @CurrentTeam() team: TeamRef,
    @Param('id', idPipe('study')) id: string,
    @Res() res: Response,
    @Query('format') format: string = 'json',
  ) {
    if (!FORMATS.includes(format as ReportFormat)) throw new TierwiseError('VALIDATION_FAILED', `format: one of ${FORMATS.join(', ')}`);
    const { contentType, body } = await this.studies.report(team, id, format as ReportFormat);
    res.setHeader('Content-Type', contentType);
    if (format === 'csv') res.setHeader('Content-Disposition', `attachment; filename="study-${id}.csv"`);
    res.send(typeof body === 'string' ? body : JSON.stringify(body));
  }
}
