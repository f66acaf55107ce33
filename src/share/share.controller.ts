import { Body, Controller, Delete, Get, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExcludeController,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { reportToHtml } from '../advisor';
import { CurrentTeam, Public } from '../auth/auth.guard';
import type { TeamRef } from '../auth/teams.repository';
import { httpStatusOf, isTierwiseError, TierwiseError } from '../common/errors';
import { idPipe } from '../common/http/id-param';
import { ModelsRepository } from '../models/models.repository';
import { StudiesRepository } from '../studies/studies.repository';
import { DecisionService } from '../web/decision.service';
import { send, sendPage } from '../web/web.controller';
import { DEFAULT_SHARE_HOURS, MAX_SHARE_HOURS, ShareLinksService } from './share-links.service';
import { ApiErrors, AUTHENTICATED_ERRORS, JSON_BODY_ERRORS } from '../common/http/api-errors.decorator';
import { CreatedShareLinkResponse, ShareLinkResponse } from './share-link.responses';

export class CreateShareDto {
  @ApiPropertyOptional({ default: DEFAULT_SHARE_HOURS, minimum: 1, maximum: MAX_SHARE_HOURS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SHARE_HOURS)
  expiresInHours?: number;
}

/** Share links, managed with a key: create one for a completed study, list them, revoke one. */
@ApiTags('share')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1')
export class ShareLinksController {
  constructor(private readonly links: ShareLinksService) {}

  @Post('studies/:id/share')
  @ApiOperation({ summary: 'A read-only, expiring, revocable link to this study’s report; the token is shown only here' })
  @ApiErrors(...JSON_BODY_ERRORS, 'STUDY_NOT_FOUND', 'STUDY_NOT_READY')
  @ApiCreatedResponse({ type: CreatedShareLinkResponse })
  create(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string, @Body() dto: CreateShareDto) {
    return this.links.create(team.id, id, dto.expiresInHours);
  }

  @Get('studies/:id/shares')
  @ApiOperation({ summary: 'This study’s share links (without their tokens)' })
  @ApiErrors('STUDY_NOT_FOUND')
  @ApiOkResponse({ type: [ShareLinkResponse] })
  list(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string) {
    return this.links.list(team.id, id);
  }

  @Delete('studies/:id/shares/:shareId')
  @ApiOperation({ summary: 'Revoke one of this study’s share links by its id (as listed)' })
  @ApiErrors('SHARE_NOT_FOUND')
  @ApiOkResponse({ type: ShareLinkResponse })
  revokeById(@CurrentTeam() team: TeamRef, @Param('id', idPipe('study')) id: string, @Param('shareId', idPipe('share')) shareId: string) {
    return this.links.revokeById(team.id, id, shareId);
  }

  @Delete('share/:token')
  @ApiOperation({ summary: 'Revoke a share link: its page and data are refused from now on' })
  @ApiErrors('SHARE_NOT_FOUND')
  @ApiOkResponse({ type: ShareLinkResponse })
  revoke(@CurrentTeam() team: TeamRef, @Param('token') token: string) {
    return this.links.revoke(team.id, token);
  }
}

/** Report pages are whole documents with their own <style>; they run no script and load nothing. */
const REPORT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const REFUSED_CSP = "default-src 'none'; style-src 'unsafe-inline'";

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The public side of a share link: no key, read-only, one study. Responses are never cached or indexed. */
@ApiExcludeController()
@Public()
@Controller('share')
export class SharePagesController {
  constructor(
    private readonly links: ShareLinksService,
    private readonly decisions: DecisionService,
    private readonly studies: StudiesRepository,
    private readonly models: ModelsRepository,
  ) {}

  @Get(':token')
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    private_(res);
    try {
      await this.links.resolve(token);
    } catch (error) {
      if (!isTierwiseError(error)) throw error;
      res.status(httpStatusOf(error.entry));
      send(
        res,
        'text/html; charset=utf-8',
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Share link refused</title></head><body style="font:16px system-ui;max-width:40rem;margin:3rem auto;color:#1d2330"><h1>Share link refused</h1><p id="refused" data-code="${escape(error.code)}">${escape(error.code)}: ${escape(error.message)}</p></body></html>`,
        REFUSED_CSP,
      );
      return;
    }
    sendPage(res);
  }

  @Get(':token/data')
  async data(@Param('token') token: string, @Res() res: Response): Promise<void> {
    private_(res);
    const link = await this.links.resolve(token);
    const [study, decision] = await Promise.all([this.studies.get(link.studyId), this.decisions.decision(link.teamId, link.studyId)]);
    if (!study) throw new TierwiseError('SHARE_NOT_FOUND', 'the shared study was deleted');
    const model = await this.models.find(link.teamId, study.modelId);
    res.json({
      study: {
        id: study.id,
        modelName: model?.name ?? 'a deleted model',
        status: study.status,
        recommendation: study.recommendation,
        createdAt: study.createdAt,
        finishedAt: study.finishedAt,
      },
      decision,
      expiresAt: link.expiresAt.toISOString(),
    });
  }

  @Get(':token/report')
  async report(@Param('token') token: string, @Res() res: Response): Promise<void> {
    private_(res);
    const link = await this.links.resolve(token);
    const report = await this.studies.report(link.studyId);
    if (!report) throw new TierwiseError('STUDY_NOT_READY', 'the shared study has no report');
    send(res, 'text/html; charset=utf-8', reportToHtml(report), REPORT_CSP);
  }
}

function private_(res: Response): void {
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
