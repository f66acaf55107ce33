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

export class SigningSecretStatusResponse {
  @ApiProperty({ type: String, nullable: true, description: 'when the team’s signing secret was made; null when it has none yet' })
  createdAt: string | null;
  @ApiProperty({ description: 'how the secret signs each delivery' }) signs: string;
  @ApiProperty({ description: 'where the secret itself can be seen (only when it is made)' }) shown: string;
}

export class RotatedSigningSecretResponse {
  @ApiProperty({ description: 'the new signing secret, shown only this once' }) secret: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'how the secret signs each delivery' }) signs: string;
}
