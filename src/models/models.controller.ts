import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { UploadQuotaGuard } from '../blobs/upload-quota';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { ModelsService } from './models.service';
import { WHITE_BOX_OPERATORS } from './white-box';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS, UPLOAD_ERRORS } from '../common/http/api-errors.decorator';
import { ModelPageType, ModelType, SetModelTaskDto, VariantType } from './model.types';
import { TASKS } from '../evaluation/tasks/task';

const modelUpload = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', format: 'binary' },
      name: { type: 'string' },
      task: { type: 'string', enum: [...TASKS], description: 'guessed from the outputs when absent (taskGuessed: true)' },
      postprocess: { type: 'string', description: "JSON: the task's postprocess spec; defaults fill what is missing" },
    },
  },
};
const variantUpload = {
  schema: {
    type: 'object',
    required: ['file', 'operator'],
    properties: {
      file: { type: 'string', format: 'binary' },
      operator: { type: 'string', enum: [...WHITE_BOX_OPERATORS] },
      notes: { type: 'string' },
    },
  },
};

@ApiTags('models')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Post()
  @ApiOperation({ summary: 'Upload an ONNX model (streamed, content-addressed, proven to load in onnxruntime)' })
  @ApiConsumes('multipart/form-data')
  @UseGuards(UploadQuotaGuard)
  @ApiBody(modelUpload)
  @ApiErrors(
    ...UPLOAD_ERRORS,
    'VALIDATION_FAILED',
    'MODEL_EMPTY',
    'MODEL_NOT_ONNX',
    'MODEL_CORRUPT',
    'MODEL_TOO_LARGE',
    'MODEL_UNLOADABLE',
    'MODEL_UPLOAD_INVALID',
    'MODEL_ARCHIVE_INVALID',
    'MODEL_ARCHIVE_UNSAFE',
    'MODEL_EXTERNAL_DATA',
    'MODEL_EXTERNAL_DATA_INVALID',
    'MODEL_EXTERNAL_DATA_MISSING',
    'MODEL_EXTERNAL_DATA_PATH',
    'MODEL_EXTERNAL_DATA_UNSAFE',
    'MODEL_EXTERNAL_DATA_UNUSED',
    'MODEL_EXTERNAL_DATA_CONFLICT',
    'TASK_INVALID',
    'POSTPROCESS_INVALID',
    'RUNNER_CRASHED',
    'RUNNER_TIMEOUT',
    'RUNNER_OOM',
  )
  @ApiCreatedResponse({ type: ModelType })
  upload(@CurrentTeam() team: TeamRef, @Req() req: Request) {
    return this.models.upload(team, req);
  }

  @Get()
  @ApiErrors('VALIDATION_FAILED')
  @ApiOkResponse({ type: ModelPageType })
  list(@CurrentTeam() team: TeamRef, @Query() page: PageQuery) {
    return this.models.list(team, page.limit, page.cursor);
  }

  @Get(':id')
  @ApiErrors('MODEL_NOT_FOUND')
  @ApiOkResponse({ type: ModelType })
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string) {
    return this.models.get(team, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Set a model's task and postprocess spec (validated, defaults filled); taskGuessed becomes false" })
  @ApiErrors(...JSON_BODY_ERRORS, 'MODEL_NOT_FOUND', 'TASK_INVALID', 'POSTPROCESS_INVALID')
  @ApiOkResponse({ type: ModelType })
  setTask(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string, @Body() body: SetModelTaskDto) {
    return this.models.setTask(team, id, body.task, body.postprocess);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiErrors('MODEL_NOT_FOUND')
  @ApiNoContentResponse({ description: 'deleted' })
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string) {
    return this.models.delete(team, id);
  }

  @Post(':id/variants')
  @ApiOperation({ summary: 'Upload a white-box variant (distilled, qat, pruned, custom) of a model' })
  @ApiConsumes('multipart/form-data')
  @UseGuards(UploadQuotaGuard)
  @ApiBody(variantUpload)
  @ApiErrors(
    'MODEL_NOT_FOUND',
    ...UPLOAD_ERRORS,
    'VALIDATION_FAILED',
    'MODEL_EMPTY',
    'MODEL_NOT_ONNX',
    'MODEL_CORRUPT',
    'MODEL_UNLOADABLE',
    'VARIANT_INCOMPATIBLE',
    'RUNNER_CRASHED',
    'RUNNER_TIMEOUT',
    'RUNNER_OOM',
  )
  @ApiCreatedResponse({ type: VariantType })
  uploadVariant(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string, @Req() req: Request) {
    return this.models.uploadVariant(team, id, req);
  }
}
