import { StudyRequests } from './advise/study-requests';
import { RecommendationVerifier } from './advise/verify-recommendation';
import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { ModelsModule } from '../models/models.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { AdviseProcessor } from './processors/advise.processor';
import { BenchProcessor } from './processors/bench.processor';
import { BuildProcessor } from './processors/build.processor';
import { EvaluateProcessor } from './processors/evaluate.processor';
import { PhaseProcessor } from './processors/phase.processor';
import { ResultsRepository } from './results.repository';
import { StudiesController } from './studies.controller';
import { StudiesRepository } from './studies.repository';
import { StudiesResolver } from './studies.resolver';
import { StudiesService } from './studies.service';
import { StudyCancellation } from './study-cancellation';
import { StudyDatasetCheck } from './study-dataset-check';
import { StudyDatasets } from './study-datasets';
import { StudyEvents } from './study-events';
import { StudyEventsSubscriber } from './study-events.subscriber';
import { StudyFlow } from './study-flow';
import { StudyJobs } from './study-jobs';
import { StudyOutcome } from './study-outcome';
import { StudyReconciler } from './study-reconciler';
import { VariantsRepository } from './variants.repository';

export const STUDY_PROCESSORS = [BuildProcessor, BenchProcessor, EvaluateProcessor, PhaseProcessor, AdviseProcessor];

@Module({
  imports: [ModelsModule, DatasetsModule, WebhooksModule],
  controllers: [StudiesController],
  providers: [
    StudiesRepository,
    VariantsRepository,
    ResultsRepository,
    StudiesService,
    StudiesResolver,
    StudyFlow,
    StudyEvents,
    StudyEventsSubscriber,
    StudyJobs,
    StudyOutcome,
    StudyDatasets,
    StudyDatasetCheck,
    StudyCancellation,
    StudyReconciler,
    StudyRequests,
    RecommendationVerifier,
    ...STUDY_PROCESSORS,
  ],
  // The repositories and StudyJobs serve remote workers' calls (src/remote-workers/).
  exports: [StudyReconciler, StudiesRepository, ResultsRepository, StudyJobs, ...STUDY_PROCESSORS],
})
export class StudiesModule {}
