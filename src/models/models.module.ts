import { Module } from '@nestjs/common';
import { ModelInspector } from './model-inspector';
import { ModelsController } from './models.controller';
import { ModelsRepository } from './models.repository';
import { ModelsResolver } from './models.resolver';
import { ModelsService } from './models.service';

@Module({
  controllers: [ModelsController],
  providers: [ModelsRepository, ModelsService, ModelsResolver, ModelInspector],
  exports: [ModelsService, ModelsRepository],
})
export class ModelsModule {}
