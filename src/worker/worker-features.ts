import type { Type } from '@nestjs/common';
import type { JobProcessor } from './job-processor';

/** The domain modules whose processors run in workers; each exports the processor classes it lists. */
export const workerFeatures: Array<{ module: Type<unknown>; processors: Array<Type<JobProcessor>> }> = [];
