import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TiersService } from './tiers.service';
import { ApiErrors, AUTHENTICATED_ERRORS } from '../common/http/api-errors.decorator';
import { TierResponse } from './tier.responses';

@ApiTags('tiers')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/tiers')
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get()
  @ApiOperation({ summary: "Each tier's profile, its slowdown, and the workers consuming its queue" })
  @ApiOkResponse({ type: [TierResponse] })
  list() {
    return this.tiers.list();
  }
}
