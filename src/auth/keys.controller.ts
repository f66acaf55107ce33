import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { idPipe } from '../common/http/id-param';
import { CurrentTeam } from './auth.guard';
import type { TeamRef } from './teams.repository';
import { TeamsService } from './teams.service';

export class CreateKeyDto {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\u0000-\u001f]*$/, { message: 'name must not contain control characters' })
  name?: string;
}

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @ApiOperation({ summary: "The team's API keys: id, name, prefix, createdAt, lastUsedAt (kept to the minute), revokedAt; never the key" })
  list(@CurrentTeam() team: TeamRef) {
    return this.teams.listKeys(team);
  }

  @Post()
  @ApiOperation({ summary: 'A new key for the team; the answer holds the key, shown only this once' })
  create(@CurrentTeam() team: TeamRef, @Body() body: CreateKeyDto) {
    return this.teams.createKey(team, body.name ?? 'api');
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key: it stops working at once on this api process and within AUTH_CACHE_MS on others' })
  revoke(@CurrentTeam() team: TeamRef, @Param('id', idPipe('key')) id: string) {
    return this.teams.revokeKey(team, id);
  }
}
