import { ApiProperty } from '@nestjs/swagger';

export class ShareLinkResponse {
  @ApiProperty() id: string;
  @ApiProperty() studyId: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: String, nullable: true }) revokedAt: string | null;
}

/** Only the creation answer carries the token (and the link built from it). */
export class CreatedShareLinkResponse extends ShareLinkResponse {
  @ApiProperty() token: string;
  @ApiProperty() url: string;
}
