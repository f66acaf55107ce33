import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TiersService } from './tiers.service';
import { ApiErrors, AUTHENTICATED_ERRORS } from '../common/http/api-errors.decorator';

@ApiTags('tiers')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED_ERRORS)
@Controller('v1/tiers')
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get()
  @ApiOperation({ summary: "Each tier's profile, its slowdown, and the workers consuming its queue" })
  list() {
    return this.tiers.list();
  }
}
