import { Injectable } from '@nestjs/common';
import {
  findCrossovers,
  rankCandidates,
  type Constraints,
  type Crossover,
  type NetworkProfile,
  type Ranking,
  type StudyInput,
} from '../advisor';
import { TierwiseError } from '../common/errors';
import { QueuesService } from '../jobs/queues.service';
import { ModelsRepository } from '../models/models.repository';
import { adviseInput } from '../studies/advise/advise-input';
import { ResultsRepository } from '../studies/results.repository';
import { StudiesRepository } from '../studies/studies.repository';
import { studyJobKey } from '../studies/study-flow';
import { studyJobList, type StudyJobView } from '../studies/study-job-list';
import type { StudyView } from '../studies/study.views';
import { VariantsRepository } from '../studies/variants.repository';

/** What the dashboard's decision view starts from: the advisor's input exactly as the study's advise step built it. */
export interface DecisionData {
  studyId: string;
  input: StudyInput;
  crossovers: Crossover[];
  modelInputs: Array<{ name: string; shape?: Array<number | string>; elemType?: string }>;
  measurements: Array<{
    variantId: string;
    tier: string;
    part: string;
    cut: string | null;
    method: string;
    p50Ms: number;
    p90Ms: number;
    p50CiLowMs: number;
    p50CiHighMs: number;
    coldStartMs: number;
    envelope: unknown;
  }>;
}

export interface WhatIfResult {
  ranking: Ranking;
  crossovers: Crossover[];
}

@Injectable()
export class DecisionService {
  constructor(
    private readonly studies: StudiesRepository,
    private readonly variants: VariantsRepository,
    private readonly results: ResultsRepository,
    private readonly models: ModelsRepository,
    private readonly queues: QueuesService,
  ) {}

  /** A completed study of this team (null team: already authorised, e.g. through a share link). */
  async completedStudy(teamId: string, id: string): Promise<StudyView & { teamId: string }> {
    const study = await this.studies.get(id);
    if (!study || study.teamId !== teamId) throw new TierwiseError('STUDY_NOT_FOUND', `no study ${id}`);
    if (study.status !== 'completed')
      throw new TierwiseError('STUDY_NOT_READY', `study ${id} is ${study.status}; its decision data exists once it has completed`);
    return study;
  }

  async decision(teamId: string, id: string): Promise<DecisionData> {
    const study = await this.completedStudy(teamId, id);
    const [variants, measurements, accuracy, model, report] = await Promise.all([
      this.variants.many(study.variantIds),
      this.results.measurements(id, true),
      this.results.accuracy(id),
      this.models.find(study.teamId, study.modelId),
      this.studies.report(id),
    ]);
    if (!model) throw new TierwiseError('MODEL_NOT_FOUND', `the model of study ${id} was deleted`);
    const input = adviseInput({
      study,
      variants,
      measurements,
      accuracy,
      modelInputs: model.inputs,
      modelOutputs: model.outputs,
      requestDecode: report?.network?.request?.decode,
    });
    return {
      studyId: id,
      input,
      crossovers: report?.crossovers ?? [],
      modelInputs: model.inputs.map((s) => ({ name: s.name, shape: s.shape as Array<number | string> | undefined, elemType: s.elemType })),
      measurements: measurements.map((m) => ({
        variantId: m.variantId,
        tier: m.tier,
        part: m.part,
        cut: m.cut,
        method: m.method,
        p50Ms: m.p50Ms,
        p90Ms: m.p90Ms,
        p50CiLowMs: m.p50CiLowMs,
        p50CiHighMs: m.p50CiHighMs,
        coldStartMs: m.coldStartMs,
        envelope: m.envelope,
      })),
    };
  }

  /** Every job of a study (running or ended) and where it stands: the live view's per-job progress. */
  async jobs(teamId: string, id: string): Promise<StudyJobView[]> {
    const study = await this.studies.get(id);
    if (!study || study.teamId !== teamId) throw new TierwiseError('STUDY_NOT_FOUND', `no study ${id}`);
    const [variants, measured, evaluated] = await Promise.all([
      this.variants.many(study.variantIds),
      this.results.measurements(id, false),
      this.results.accuracy(id),
    ]);
    const jobs = studyJobList({ study, variants, measured, evaluated: evaluated.map((a) => a.variantId) });
    // Postgres says what has finished; BullMQ says which of the queued jobs a worker holds right now.
    await Promise.all(
      jobs.map(async (job) => {
        if (job.state !== 'queued' || job.phase === 'advise' || !job.variantId) return;
        const key = studyJobKey(id, { phase: job.phase, variantId: job.variantId, tier: job.tier, part: job.part });
        try {
          if ((await (await this.queues.queue(key.queue).getJob(key.id))?.getState()) === 'active') job.state = 'running';
        } catch {
          // Redis unreachable: the job stays 'queued', which is still true.
        }
      }),
    );
    return jobs;
  }

  /** The study's ranking and crossovers recomputed by the advisor on another network and constraints. */
  async whatIf(teamId: string, id: string, network: Partial<NetworkProfile> = {}, constraints?: Constraints): Promise<WhatIfResult> {
    const { input } = await this.decision(teamId, id);
    const changed: StudyInput = { ...input, network: { ...input.network, ...network }, constraints: constraints ?? input.constraints };
    return { ranking: rankCandidates(changed), crossovers: findCrossovers(changed) };
  }
}
