import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AUTHENTICATED_ERRORS } from '../common/http/api-errors.decorator';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { KEY_KINDS, type KeyKind } from './api-key';
import { idPipe } from '../common/http/id-param';
import { AdminRoute, CurrentTeam } from './auth.guard';
import type { TeamRef } from './teams.repository';
import { TeamsService } from './teams.service';

export class CreateKeyDto {
  @ApiPropertyOptional({ description: 'a label for the key (default "api")', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  @Matches(/^[^\u0000-\u001f]*$/, { message: 'name must not contain control characters' })
  name?: string;

  @ApiPropertyOptional({
    enum: KEY_KINDS,
    description:
      "'team' (default): the team's admin, every route of the team. 'member': every route but those that change the team's tiers and keys. 'worker': a worker token for a pool member on another machine, which may only take its tiers' jobs, fetch their inputs and post their results (only the deployment's team, WORKER_KEYS_TEAM, may create one)",
  })
  @IsOptional()
  @IsIn(KEY_KINDS)
  kind?: KeyKind;

  @ApiPropertyOptional({ type: [String], description: "a worker token's tiers (default: any configured tier)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { each: true, message: 'each tier must be a tier name (lower case letters, digits, -)' })
  tiers?: string[];
}

/** One API key as the team sees it: never the key itself, only its prefix. */
export class KeyResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'the first characters of the key, to tell keys apart' }) prefix: string;
  @ApiProperty({
    enum: KEY_KINDS,
    description: "'team' (admin), 'member' (no tier or key changes) or 'worker' (only the /v1/worker routes)",
  })
  kind: string;
  @ApiProperty({ type: [String], description: "a worker token's tiers (empty: any)" }) tiers: string[];
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'last use, kept to the minute' }) lastUsedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedAt: string | null;
}

export class CreatedKeyResponse extends KeyResponse {
  @ApiProperty({ description: 'the key, shown only this once' }) key: string;
}

@ApiTags('keys')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @ApiOperation({ summary: "The team's API keys: id, name, prefix, createdAt, lastUsedAt (kept to the minute), revokedAt; never the key" })
  @ApiOkResponse({ type: [KeyResponse] })
  list(@CurrentTeam() team: TeamRef) {
    return this.teams.listKeys(team);
  }

  @Post()
  @AdminRoute()
  @ApiOperation({ summary: 'A new key for the team (or a worker token, kind: worker); the answer holds the key, shown only this once' })
  @ApiErrors('VALIDATION_FAILED', 'WORKER_KEY_FORBIDDEN', 'TEAM_ADMIN_REQUIRED')
  @ApiCreatedResponse({ type: CreatedKeyResponse })
  create(@CurrentTeam() team: TeamRef, @Body() body: CreateKeyDto) {
    return this.teams.createKey(team, body.name ?? (body.kind === 'worker' ? 'worker' : 'api'), {
      kind: body.kind ?? 'team',
      tiers: body.tiers ?? [],
    });
  }

  @Delete(':id')
  @AdminRoute()
  @ApiOperation({ summary: 'Revoke a key: it stops working at once on this api process and within AUTH_CACHE_MS on others' })
  @ApiErrors('KEY_NOT_FOUND', 'TEAM_ADMIN_REQUIRED')
  @ApiOkResponse({ type: KeyResponse, description: 'the revoked key' })
  revoke(@CurrentTeam() team: TeamRef, @Param('id', idPipe('key')) id: string) {
    return this.teams.revokeKey(team, id);
  }
}
