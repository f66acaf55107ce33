import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WorkerHeartbeatResponse {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, nullable: true }) tier: string | null;
  @ApiProperty({ type: [String] }) queues: string[];
  @ApiProperty() host: string;
  @ApiProperty({ type: 'integer' }) pid: number;
  @ApiProperty() cpuModel: string;
  @ApiProperty({ type: 'integer' }) cores: number;
  @ApiProperty({ type: String, nullable: true }) device: string | null;
  @ApiProperty() envelopeMethod: string;
  @ApiProperty() version: string;
  @ApiProperty() startedAt: string;
  @ApiProperty() seenAt: string;
}

export class WorkerCalibrationResponse {
  @ApiProperty() coreSpeed: number;
  @ApiProperty({ description: 'the factor its figures are multiplied by (1 for native)' }) slowdown: number;
  @ApiProperty() source: string;
}

/** A live worker of a tier, with how a figure from it would be taken. */
export class TierWorkerResponse extends WorkerHeartbeatResponse {
  @ApiProperty({ enum: ['native', 'scaled', 'quota', 'none'] }) figures: string;
  @ApiProperty({ type: () => WorkerCalibrationResponse }) calibration: WorkerCalibrationResponse;
}

/** A row of `GET /v1/tiers`: the profile, its slowdown against the reference device, and its live workers. */
export class TierResponse {
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['deployment', 'team'] }) source: string;
  @ApiPropertyOptional({ enum: ['device', 'edge', 'cloud'] }) role?: string;
  @ApiProperty() native: boolean;
  @ApiProperty() cpus: number;
  @ApiProperty({ type: 'integer' }) threads: number;
  @ApiProperty({ type: 'integer' }) memoryMB: number;
  @ApiProperty() coreSpeed: number;
  @ApiProperty() executionProvider: string;
  @ApiProperty() slowdown: number;
  @ApiProperty() slowdownFormula: string;
  @ApiProperty({ type: () => [TierWorkerResponse] }) workers: TierWorkerResponse[];
  @ApiProperty({ type: [String] }) warnings: string[];
}
