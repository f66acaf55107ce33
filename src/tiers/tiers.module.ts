import { Global, Module } from '@nestjs/common';
import { TiersConfig } from './tiers.config';
import { TiersController } from './tiers.controller';
import { TiersService } from './tiers.service';
import { WorkerRegistry } from './worker-registry';
import { TeamTiersRepository } from './tiers.repository';

@Global()
@Module({
  controllers: [TiersController],
  providers: [TiersConfig, TiersService, WorkerRegistry, TeamTiersRepository],
  exports: [TiersConfig, TiersService, WorkerRegistry, TeamTiersRepository],
})
export class TiersModule {}
