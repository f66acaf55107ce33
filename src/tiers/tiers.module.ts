import { Global, Module } from '@nestjs/common';
import { TiersConfig } from './tiers.config';
import { TiersController } from './tiers.controller';
import { TiersService } from './tiers.service';
import { WorkerRegistry } from './worker-registry';

@Global()
@Module({
  controllers: [TiersController],
  providers: [TiersConfig, TiersService, WorkerRegistry],
  exports: [TiersConfig, WorkerRegistry],
})
export class TiersModule {}
