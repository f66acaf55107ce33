import { ApiProperty } from '@nestjs/swagger';

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

/** A row of `GET /v1/tiers`: the profile, its slowdown against the reference device, and its live workers. */
export class TierResponse {
  @ApiProperty() name: string;
  @ApiProperty() cpus: number;
  @ApiProperty({ type: 'integer' }) threads: number;
  @ApiProperty({ type: 'integer' }) memoryMB: number;
  @ApiProperty() coreSpeed: number;
  @ApiProperty() executionProvider: string;
  @ApiProperty() slowdown: number;
  @ApiProperty() slowdownFormula: string;
  @ApiProperty({ type: () => [WorkerHeartbeatResponse] }) workers: WorkerHeartbeatResponse[];
  @ApiProperty({ type: [String] }) warnings: string[];
}
