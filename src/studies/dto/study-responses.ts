import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JSON_OBJECT } from '../../common/http/json-schemas';
import { MeasurementType } from '../study.types';

/** A row of `GET /v1/studies/:id/measurements`: the GraphQL Measurement plus what only REST returns. */
export class MeasurementResponse extends MeasurementType {
  @ApiProperty({ ...JSON_OBJECT, description: 'the resource envelope the measurement ran in (cores, memory, how they were enforced)' })
  envelope: unknown;

  @ApiPropertyOptional({ type: [Number], description: 'raw (unscaled) latency samples, with ?samples=true' })
  samplesRawMs?: number[];

  @ApiProperty()
  createdAt: string;
}
