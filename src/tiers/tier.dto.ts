import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TIER_NAME_PATTERN, TIER_ROLES } from '../benchmark/topology';

/** The envelope of a tier: what the runner pins and limits, and how fast one of its cores is against the host's. */
export class TierEnvelopeDto {
  @ApiPropertyOptional({ description: 'CPUs the tier has (fractions allowed: 0.5 = half a core)' })
  @IsOptional()
  @IsNumber()
  cpus?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'threads a request uses (default: whole cpus, at least 1)' })
  @IsOptional()
  @IsInt()
  threads?: number;

  @ApiPropertyOptional({ description: 'memory limit, MiB' })
  @IsOptional()
  @IsNumber()
  memoryMB?: number;

  @ApiPropertyOptional({ description: "one core's speed against one host core (tierwise calibrate), default 1" })
  @IsOptional()
  @IsNumber()
  coreSpeed?: number;

  @ApiPropertyOptional({ description: 'onnxruntime execution provider, default cpu' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  executionProvider?: string;

  @ApiPropertyOptional({ description: 'real hardware: measured unscaled by a `tierwise worker --tier <name> --device <what>` on it' })
  @IsOptional()
  @IsBoolean()
  native?: boolean;

  @ApiPropertyOptional({ enum: TIER_ROLES })
  @IsOptional()
  @IsIn(TIER_ROLES)
  role?: (typeof TIER_ROLES)[number];
}

export class CreateTierDto extends TierEnvelopeDto {
  @ApiProperty({ pattern: TIER_NAME_PATTERN.source, example: 'rpi5', description: 'names the queue too: bench-<name>' })
  @IsString()
  @Matches(TIER_NAME_PATTERN)
  name: string;

  @ApiProperty({ enum: TIER_ROLES })
  @IsIn(TIER_ROLES)
  declare role: (typeof TIER_ROLES)[number];
}

/** A change to a team tier: the fields given replace the stored ones. */
export class UpdateTierDto extends TierEnvelopeDto {}
