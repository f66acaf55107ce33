import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { assertDeliverableUrl } from '../webhooks/address-guard';
import type { TeamRef } from '../auth/teams.repository';
import { reportToCsv, reportToHtml, type AdvisorReport } from '../advisor';
import type { Link } from '../benchmark/network';
import { TiersService } from '../tiers/tiers.service';
import { studyNetwork } from './study-topology';
import { TierwiseError } from '../common/errors';
import { ViewCache } from '../common/cache/view-cache';
import { pageLimit } from '../common/pagination';
import { correlationId } from '../common/correlation';
import { DatasetsService } from '../datasets/datasets.service';
import { QueuesService } from '../jobs/queues.service';
import { ModelsService } from '../models/models.service';
import type { Page } from '../models/model.views';
import { isTerminal } from './study-status';
import type { CreateStudyDto } from './dto/create-study.dto';
import { ResultsRepository, type MeasurementRecord, type RecommendationRecord } from './results.repository';
import { StudiesRepository } from './studies.repository';
import { StudyCancellation } from './study-cancellation';
import { StudyFlow } from './study-flow';
import { planStudy } from './study-plan';
import { checkSpecNames, parseInputSpec, resolveInputs } from '../onnx/input-spec';
import { StudyDatasetCheck } from './study-dataset-check';
import { checkEffort } from './study-effort';
import type { StudyView } from './study.views';
import { VariantsRepository } from './variants.repository';

export type ReportFormat = 'json' | 'csv' | 'html';

@Injectable()
export class StudiesService {
  constructor(
    private readonly studies: StudiesRepository,
    private readonly variants: VariantsRepository,
    private readonly results: ResultsRepository,
    private readonly models: ModelsService,
    private readonly datasets: DatasetsService,
    private readonly datasetCheck: StudyDatasetCheck,
    private readonly flow: StudyFlow,
    private readonly cancellation: StudyCancellation,
    private readonly queues: QueuesService,
    private readonly tiers: TiersService,
    private readonly views: ViewCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Writes the study and enqueues its first phase; a repeated Idempotency-Key returns the first study. */
  async create(team: TeamRef, dto: CreateStudyDto, idempotencyKey?: string): Promise<{ study: StudyView; created: boolean }> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new TierwiseError('VALIDATION_FAILED', 'Idempotency-Key: 1 to 200 printable ASCII characters');
    }
    if (idempotencyKey) {
      const existing = await this.studies.findByIdempotencyKey(team.id, idempotencyKey);
      if (existing) return { study: existing, created: false };
    }
    const open = await this.studies.openCount(team.id);
    if (open >= this.config.TEAM_MAX_OPEN_STUDIES) {
      throw new TierwiseError(
        'STUDY_QUOTA_EXCEEDED',
        `the team has ${open} studies queued or running (at most ${this.config.TEAM_MAX_OPEN_STUDIES}); retry when one has ended`,
        {
          limit: this.config.TEAM_MAX_OPEN_STUDIES,
          retryAfterS: 30,
        },
      );
    }
    const model = await this.models.get(team, dto.modelId);
    const dataset = dto.datasetId ? await this.datasets.get(team, dto.datasetId) : undefined;
    const inputs = dto.inputs === undefined || dto.inputs === null ? undefined : parseInputSpec(dto.inputs);
    if (dataset) await this.datasetCheck.check(dataset, model);
    // With a dataset the shapes come from its preprocessed samples (the spec's names must still be model inputs).
    // Without a dataset every figure runs on synthetic inputs: each symbolic dim must be resolved now (422 otherwise).
    if (!dataset) resolveInputs(model.inputs, inputs);
    else if (inputs) checkSpecNames(model.inputs, inputs);
    if (dto.webhookUrl) await assertDeliverableUrl(dto.webhookUrl, this.config.ALLOW_PRIVATE_WEBHOOKS);
    const profiles = await this.tiers.profilesFor(team.id);
    const knownTiers = Object.keys(profiles);
    const requested = stripUndefined(dto.network);
    const network = studyNetwork({ ...requested, links: requested.links?.map((l) => stripUndefined(l) as Link) }, knownTiers);
    if (network.requestEncoding === 'encoded' && (!dataset || dataset.kind === 'tensors'))
      throw new TierwiseError(
        'NETWORK_INVALID',
        `network.requestEncoding encoded sends the dataset's own files or text, and ${dataset ? 'this dataset holds tensors' : 'the study has no dataset'}: use raw-tensor or json-base64`,
        { requestEncoding: 'encoded' },
      );
    checkEffort(stripUndefined(dto.effort) as Partial<StudyView['effort']>);
    const effort = { warmup: 10, runs: 100, ...stripUndefined(dto.effort) };
    const constraints = stripUndefined(dto.constraints);
    const plan = planStudy(model, {
      tiers: dto.tiers,
      scenarios: dto.scenarios,
      operators: dto.operators,
      hasDataset: dataset !== undefined,
      network,
      maxAccuracyDrop: constraints.maxAccuracyDrop,
      knownTiers,
    });
    // Team tiers exist only in Postgres, so their profiles travel with the study (and a later PATCH does not move
    // its figures). Deployment tiers stay resolved by name on the worker, scaled to the host that measures.
    const teamTiers = plan.tiers.filter((t) => !this.tiers.isDeploymentTier(t));
    const tierProfiles = teamTiers.length > 0 ? Object.fromEntries(teamTiers.map((t) => [t, profiles[t]])) : undefined;
    const idByKey = new Map<string, string>();
    for (const planned of plan.variants) {
      if (planned.existingId) {
        idByKey.set(planned.key, planned.existingId);
        continue;
      }
      const record = await this.variants.ensureBuilt(
        model.id,
        planned.key,
        planned.operators,
        planned.step!.params,
        idByKey.get(planned.parentKey!)!,
      );
      idByKey.set(planned.key, record.id);
    }
    const result = await this.studies.create({
      teamId: team.id,
      modelId: model.id,
      datasetId: dataset?.id,
      idempotencyKey,
      tiers: plan.tiers,
      scenarios: plan.scenarios,
      operators: plan.operators,
      constraints,
      network,
      effort,
      inputs,
      tierProfiles,
      webhookUrl: dto.webhookUrl,
      correlationId: correlationId(),
      queuePrefix: this.queues.prefix,
      jobsTotal: plan.variants.length,
      variantIds: [...new Set(idByKey.values())],
    });
    if (result.created) await this.flow.start(result.study.id);
    return { study: (await this.studies.find(team.id, result.study.id)) ?? result.study, created: result.created };
  }

  /** The team's studies, newest first (a cached view: see ViewCache). */
  list(team: TeamRef, limit = 20, cursor?: string): Promise<Page<StudyView>> {
    const size = pageLimit(limit);
    return this.views.read('studies', `${team.id}:list:${size}:${cursor ?? ''}`, () => this.studies.list(team.id, size, cursor));
  }

  /** The study's view (cached, frozen: see ViewCache). */
  async get(team: TeamRef, id: string): Promise<StudyView> {
    const study = await this.views.read('studies', `${team.id}:${id}`, () => this.studies.find(team.id, id));
    if (!study) throw new TierwiseError('STUDY_NOT_FOUND', `no study ${id}`);
    return study;
  }

  /** Stops the study: queued jobs are removed, running ones find it cancelled; results so far stay readable. */
  async cancel(team: TeamRef, id: string): Promise<StudyView> {
    const study = await this.get(team, id);
    if (isTerminal(study.status)) {
      throw new TierwiseError('STUDY_FINISHED', `study ${id} already ended (${study.status})`);
    }
    await this.studies.finish(id, { status: 'cancelled', error: 'cancelled by the user' });
    await this.cancellation.removeQueuedJobs(id);
    await this.flow.publish(id);
    return this.get(team, id);
  }

  async measurements(team: TeamRef, id: string, withSamples: boolean): Promise<MeasurementRecord[]> {
    await this.get(team, id);
    return this.results.measurements(id, withSamples);
  }

  async recommendations(team: TeamRef, id: string): Promise<RecommendationRecord[]> {
    await this.get(team, id);
    return this.results.recommendations(id);
  }

  async report(team: TeamRef, id: string, format: ReportFormat): Promise<{ contentType: string; body: string | AdvisorReport }> {
    const study = await this.get(team, id);
    const report = await this.studies.report(id);
    if (!report) throw new TierwiseError('STUDY_NOT_READY', `study ${id} is ${study.status}; its report exists once it has completed`);
    if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: reportToCsv(report) };
    if (format === 'html') return { contentType: 'text/html; charset=utf-8', body: reportToHtml(report) };
    return { contentType: 'application/json; charset=utf-8', body: report };
  }
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
