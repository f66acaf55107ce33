import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TiersService } from './tiers.service';

@ApiTags('tiers')
@ApiBearerAuth()
@Controller('v1/tiers')
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get()
  @ApiOperation({ summary: "Each tier's profile, its slowdown, and the workers consuming its queue" })
  list() {
    return this.tiers.list();
  }
}
