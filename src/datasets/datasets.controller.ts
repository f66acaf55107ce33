import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
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
import { DatasetsService } from './datasets.service';
import { ApiErrors, AUTHENTICATED_ERRORS, UPLOAD_ERRORS } from '../common/http/api-errors.decorator';
import { DatasetPageType, DatasetType } from './dataset.types';

const datasetUpload = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: {
        type: 'string',
        format: 'binary',
        description:
          '.zip / .tar.gz (ImageFolder or labels.csv; text .jsonl with vocab.txt or tokenizer.json; *.wav with labels.csv + classes.txt), .jsonl, or tensors .json',
      },
      kind: { type: 'string', enum: ['images', 'text', 'tensors', 'audio'] },
      preprocess: { type: 'string', description: 'JSON preprocess spec (the fixtures preprocess.json format is accepted)' },
      name: { type: 'string' },
    },
  },
};

@ApiTags('datasets')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @ApiOperation({ summary: 'Upload an evaluation / calibration dataset (extracted safely and checked sample by sample)' })
  @ApiConsumes('multipart/form-data')
  @UseGuards(UploadQuotaGuard)
  @ApiBody(datasetUpload)
  @ApiErrors(
    ...UPLOAD_ERRORS,
    'VALIDATION_FAILED',
    'DATASET_INVALID',
    'DATASET_TYPE_UNSUPPORTED',
    'DATASET_UNSAFE',
    'PREPROCESS_INVALID',
    'PREPROCESS_NOT_JSON',
  )
  @ApiCreatedResponse({ type: DatasetType })
  upload(@CurrentTeam() team: TeamRef, @Req() req: Request) {
    return this.datasets.upload(team, req);
  }

  @Get()
  @ApiErrors('VALIDATION_FAILED')
  @ApiOkResponse({ type: DatasetPageType })
  list(@CurrentTeam() team: TeamRef, @Query() page: PageQuery) {
    return this.datasets.list(team, page.limit, page.cursor);
  }

  @Get(':id')
  @ApiErrors('DATASET_NOT_FOUND')
  @ApiOkResponse({ type: DatasetType })
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('dataset')) id: string) {
    return this.datasets.get(team, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiErrors('DATASET_NOT_FOUND')
  @ApiNoContentResponse({ description: 'deleted' })
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('dataset')) id: string) {
    return this.datasets.delete(team, id);
  }
}
