import { Injectable, Logger } from '@nestjs/common';
import type { FlowChildJob } from 'bullmq';
import { correlationId } from '../common/correlation';
import { JobName, STUDY_PHASES, queueOf, type JobNameValue, type JobPayloads, type StudyPhase } from '../jobs/job-catalogue';
import { flowJob, type CatalogueFlowJob } from '../jobs/job-flow';
import { fairPriority } from '../jobs/fair-share';
import { QueuesService } from '../jobs/queues.service';
import { StudiesRepository } from './studies.repository';
import { StudyEvents, progressEvent } from './study-events';
import { benchTargets } from './study-job-list';
import { isTerminal } from './study-status';
import type { StudyStatus, StudyView } from './study.views';
import { VariantsRepository, type VariantRecord } from './variants.repository';

const STATUS_OF: Record<StudyPhase, StudyStatus> = {
  build: 'building',
  partition: 'building',
  bench: 'benchmarking',
  evaluate: 'evaluating',
  advise: 'ranking',
};

const RETRIES = { attempts: 3, backoff: { type: 'exponential', delay: 2000 } } as const;

export function isPartition(variant: Pick<VariantRecord, 'operators'>): boolean {
  return variant.operators[variant.operators.length - 1] === 'partition';
}

/** A flow id must not contain ':' (BullMQ's key separator). */
const jobId = (...parts: string[]) => parts.join('_').replace(/[:|]/g, '-');

/** The BullMQ queue and job id of one of a study's build, bench or evaluate jobs (ids are derived, never stored). */
export function studyJobKey(
  studyId: string,
  job: { phase: 'build' | 'bench' | 'evaluate'; variantId: string; tier?: string; part?: string },
): { queue: string; id: string } {
  if (job.phase === 'bench')
    return {
      queue: queueOf(JobName.BenchVariant, {
        studyId,
        variantId: job.variantId,
        tier: job.tier!,
        part: job.part as 'whole' | 'head' | 'tail',
      }),
      id: jobId(studyId, 'bench', job.variantId, job.tier!, job.part!),
    };
  if (job.phase === 'build')
    return { queue: queueOf(JobName.BuildVariant, { studyId, variantId: job.variantId }), id: jobId(studyId, 'build', job.variantId) };
  return { queue: queueOf(JobName.EvaluateVariant, { studyId, variantId: job.variantId }), id: jobId(studyId, 'evaluate', job.variantId) };
}

/**
 * Runs a study as a sequence of BullMQ flows, one per phase: a `phase-done` parent whose children are the phase's
 * jobs; when every child has finished (or failed for good) the parent starts the next phase. Job ids are derived
 * from the study, so enqueuing a phase twice (a retry, the reconciler after a Redis restart) adds nothing new.
 */
@Injectable()
export class StudyFlow {
  private readonly logger = new Logger('StudyFlow');

  constructor(
    private readonly queues: QueuesService,
    private readonly studies: StudiesRepository,
    private readonly variants: VariantsRepository,
    private readonly events: StudyEvents,
  ) {}

  async start(studyId: string): Promise<void> {
    await this.startPhase(studyId, 'build');
  }

  /**
   * Enqueues a phase. `resume` re-enqueues the phase a study is already in (after a Redis restart lost its jobs):
   * the same job ids, so whatever still exists is not duplicated.
   */
  async startPhase(studyId: string, phase: StudyPhase, resume = false): Promise<void> {
    const study = await this.studies.get(studyId);
    if (!study || isTerminal(study.status)) return;
    const variants = await this.variants.many(study.variantIds);
    const jobs = this.jobsFor(study, variants, phase);
    if (!resume) {
      const remaining = STUDY_PHASES.slice(STUDY_PHASES.indexOf(phase) + 1).reduce(
        (sum, later) => sum + this.jobsFor(study, variants, later).length,
        0,
      );
      const moved = await this.studies.advance(studyId, STATUS_OF[phase], phase, { jobsTotal: study.jobsDone + jobs.length + remaining });
      if (!moved) return;
    }
    await this.publish(studyId);
    const cid = study.correlationId ?? correlationId();
    const load = await this.studies.teamLoad(studyId);
    const priority = fairPriority(load.inFlight, load.rank);
    if (phase === 'advise') {
      await this.queues.add(
        JobName.AdviseStudy,
        { studyId, correlationId: cid },
        { jobId: jobId(studyId, 'advise'), ...RETRIES, priority },
      );
      return;
    }
    if (jobs.length === 0) {
      await this.startPhase(studyId, STUDY_PHASES[STUDY_PHASES.indexOf(phase) + 1]);
      return;
    }
    await this.queues.addFlow(
      flowJob(
        JobName.PhaseDone,
        { studyId, phase, correlationId: cid },
        { jobId: jobId(studyId, phase, 'done'), ...RETRIES, priority },
        jobs.map((job) => ({ ...job, data: { ...job.data, correlationId: cid }, opts: { ...job.opts, priority } })),
      ),
    );
    this.logger.log(`study ${studyId}: ${phase} phase with ${jobs.length} jobs at priority ${priority}`);
  }

  /** Whether the jobs of a study's current phase are still in Redis (its flow parent, or the advise job). */
  async phaseState(studyId: string, phase: StudyPhase): Promise<'missing' | 'completed' | 'pending'> {
    const id = phase === 'advise' ? jobId(studyId, 'advise') : jobId(studyId, phase, 'done');
    const job = await this.queues.queue(queueOf(JobName.PhaseDone, { studyId, phase })).getJob(id);
    if (!job) return 'missing';
    return (await job.isCompleted()) ? 'completed' : 'pending';
  }

  /** The phase after `phase`, started when its flow's parent runs. */
  async phaseDone(studyId: string, phase: StudyPhase): Promise<void> {
    await this.startPhase(studyId, STUDY_PHASES[STUDY_PHASES.indexOf(phase) + 1]);
  }

  async publish(studyId: string): Promise<void> {
    const study = await this.studies.get(studyId);
    if (!study) return;
    await this.events.publish(progressEvent(study));
  }

  private jobsFor(study: StudyView, variants: VariantRecord[], phase: StudyPhase): CatalogueFlowJob[] {
    const usable = variants.filter((v) => v.status !== 'failed');
    const child = <N extends JobNameValue>(name: N, data: JobPayloads[N], id: string, extra: FlowChildJob['opts'] = {}): CatalogueFlowJob =>
      flowJob(name, data, { jobId: id, ...RETRIES, ignoreDependencyOnFailure: true, ...extra });
    switch (phase) {
      case 'build':
      case 'partition':
        return usable
          .filter((v) => v.status !== 'ready' && isPartition(v) === (phase === 'partition'))
          .map((v) => child(JobName.BuildVariant, { studyId: study.id, variantId: v.id }, jobId(study.id, 'build', v.id)));
      case 'bench':
        return usable.flatMap((v) =>
          benchTargets(study, v).map((t) =>
            child(
              JobName.BenchVariant,
              { studyId: study.id, variantId: v.id, tier: t.tier, part: t.part },
              jobId(study.id, 'bench', v.id, t.tier, t.part),
              { attempts: 2 },
            ),
          ),
        );
      case 'evaluate':
        if (!study.datasetId) return [];
        return usable
          .filter((v) => !isPartition(v))
          .map((v) => child(JobName.EvaluateVariant, { studyId: study.id, variantId: v.id }, jobId(study.id, 'evaluate', v.id)));
      case 'advise':
        return [child(JobName.AdviseStudy, { studyId: study.id }, jobId(study.id, 'advise'))];
    }
  }
}
