import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';

export class WhatIfNetworkDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(1_000_000)
  mobileEdgeMbps?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(1_000_000)
  edgeCloudMbps?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100_000)
  rttMs?: number;

  @ApiPropertyOptional({ description: 'the mobile–edge link’s own RTT, instead of rttMs' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100_000)
  mobileEdgeRttMs?: number;

  @ApiPropertyOptional({ description: 'the edge–cloud link’s own RTT, instead of rttMs' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100_000)
  edgeCloudRttMs?: number;
}

export class WhatIfConstraintsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  maxAccuracyDrop?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  latencyBudgetMs?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxModelBytes?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxMemoryBytes?: number;
}

/** A what-if: the study's network fields to change, and constraints to use instead of the study's (all optional). */
export class WhatIfDto {
  @ApiPropertyOptional({ type: WhatIfNetworkDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WhatIfNetworkDto)
  network?: WhatIfNetworkDto;

  @ApiPropertyOptional({ type: WhatIfConstraintsDto, description: 'replaces the study’s constraints when given' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WhatIfConstraintsDto)
  constraints?: WhatIfConstraintsDto;
}
