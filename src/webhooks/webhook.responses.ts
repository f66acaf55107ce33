import { ApiProperty } from '@nestjs/swagger';

export class AttemptLogEntryResponse {
  @ApiProperty({ type: 'integer' }) attempt: number;
  @ApiProperty() at: string;
  @ApiProperty() durationMs: number;
  @ApiProperty({ type: 'integer', nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class DeliveryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, nullable: true }) endpointId: string | null;
  @ApiProperty({ type: String, nullable: true }) studyId: string | null;
  @ApiProperty() url: string;
  @ApiProperty() event: string;
  @ApiProperty() messageId: string;
  @ApiProperty({ enum: ['pending', 'retrying', 'delivered', 'failed'] }) status: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) deliveredAt: string | null;
  @ApiProperty({ type: String, nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: () => [AttemptLogEntryResponse] }) log: AttemptLogEntryResponse[];
}

export class DeliveryPageResponse {
  @ApiProperty({ type: () => [DeliveryResponse] }) items: DeliveryResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class SigningSecretResponse {
  @ApiProperty({ description: 'the team’s webhook signing secret' }) secret: string;
  @ApiProperty({ description: 'how the secret signs each delivery' }) signs: string;
}
