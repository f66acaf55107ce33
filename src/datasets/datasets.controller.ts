import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { UploadQuotaGuard } from '../blobs/upload-quota';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { DatasetsService } from './datasets.service';

const datasetUpload = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', format: 'binary', description: '.zip / .tar.gz (ImageFolder or labels.csv; text .jsonl with vocab.txt or tokenizer.json), .jsonl, or tensors .json' },
      kind: { type: 'string', enum: ['images', 'text', 'tensors'] },
      preprocess: { type: 'string', description: 'JSON preprocess spec (the fixtures preprocess.json format is accepted)' },
      name: { type: 'string' },
    },
  },
};

@ApiTags('datasets')
@ApiBearerAuth()
@Controller('v1/datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @ApiOperation({ summary: 'Upload an evaluation / calibration dataset (extracted safely and checked sample by sample)' })
  @ApiConsumes('multipart/form-data')
  @UseGuards(UploadQuotaGuard)
  @ApiBody(datasetUpload)
  upload(@CurrentTeam() team: TeamRef, @Req() req: Request) {
    return this.datasets.upload(team, req);
  }

  @Get()
  list(@CurrentTeam() team: TeamRef, @Query() page: PageQuery) {
    return this.datasets.list(team, page.limit, page.cursor);
  }

  @Get(':id')
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('dataset')) id: string) {
    return this.datasets.get(team, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('dataset')) id: string) {
    return this.datasets.delete(team, id);
  }
}
