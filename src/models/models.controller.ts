import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentTeam } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { UploadQuotaGuard } from '../blobs/upload-quota';
import { idPipe } from '../common/http/id-param';
import { PageQuery } from '../common/http/pagination.dto';
import { ModelsService } from './models.service';
import { WHITE_BOX_OPERATORS } from './white-box';

const modelUpload = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', format: 'binary' }, name: { type: 'string' }, task: { type: 'string', default: 'classification' } },
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
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Post()
  @ApiOperation({ summary: 'Upload an ONNX model (streamed, content-addressed, proven to load in onnxruntime)' })
  @ApiConsumes('multipart/form-data')
  @UseGuards(UploadQuotaGuard)
  @ApiBody(modelUpload)
  upload(@CurrentTeam() team: TeamRef, @Req() req: Request) {
    return this.models.upload(team, req);
  }

  @Get()
  list(@CurrentTeam() team: TeamRef, @Query() page: PageQuery) {
    return this.models.list(team, page.limit, page.cursor);
  }

  @Get(':id')
  get(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string) {
    return this.models.get(team, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string) {
    return this.models.delete(team, id);
  }

  @Post(':id/variants')
  @ApiOperation({ summary: 'Upload a white-box variant (distilled, qat, pruned, custom) of a model' })
  @ApiConsumes('multipart/form-data')
  @UseGuards(UploadQuotaGuard)
  @ApiBody(variantUpload)
  uploadVariant(@CurrentTeam() team: TeamRef, @Param('id', idPipe('model')) id: string, @Req() req: Request) {
    return this.models.uploadVariant(team, id, req);
  }
}
