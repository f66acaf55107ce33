import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { ShareLinksController, SharePagesController } from '../share/share.controller';
import { ShareLinksService } from '../share/share-links.service';
import { ResultsRepository } from '../studies/results.repository';
import { StudiesRepository } from '../studies/studies.repository';
import { VariantsRepository } from '../studies/variants.repository';
import { DecisionController } from './decision.controller';
import { DecisionService } from './decision.service';
import { WebController } from './web.controller';

/**
 * The browser UI at / and /ui (one page over the same REST api the CLI uses), the decision data it recomputes
 * with the advisor, and read-only share links (src/share).
 */
@Module({
  imports: [ModelsModule],
  controllers: [WebController, DecisionController, ShareLinksController, SharePagesController],
  providers: [StudiesRepository, VariantsRepository, ResultsRepository, DecisionService, ShareLinksService],
})
export class WebModule {}
