import type { InputShapesRecord } from '../../onnx/input-spec';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { advise, buildReport, scenarioNetworkCost, type Advice } from '../../advisor';
import { JobName, type JobPayloads } from '../../jobs/job-catalogue';
import { finalFailure, type JobFailure } from '../../jobs/job-failure';
import type { JobProcessor } from '../../jobs/job-processor';
import { ModelsRepository } from '../../models/models.repository';
import { adviseInput } from '../advise/advise-input';
import { primaryLabel } from '../../evaluation/tasks/score';
import { StudyRequests } from '../advise/study-requests';
import { RecommendationVerifier } from '../advise/verify-recommendation';
import { ResultsRepository } from '../results.repository';
import { StudiesRepository } from '../studies.repository';
import { StudyOutcome } from '../study-outcome';
import { isTerminal } from '../study-status';
import { VariantsRepository } from '../variants.repository';

type Payload = JobPayloads['advise-study'];

const METHOD_NOTE =
  'Warm latency per request, measured on dedicated cores with the tier’s thread count and memory limit, scaled by the tier’s slowdown ' +
  'threads / (cpus × coreSpeed); cold start kept apart; network cost computed per hop by the TCP transfer model (one round trip per exchange, handshake and TLS on new connections, slow start and its restart after idle, the loss bound) for the request bytes the study’s encoding makes; an offload adds the answering tier reading the request (decode and preprocess), measured on the study’s own requests.';

/** Composes end-to-end latency per scenario, ranks with statistics, explains, stores and announces the result. */
@Injectable()
export class AdviseProcessor implements JobProcessor<typeof JobName.AdviseStudy> {
  readonly handles = [JobName.AdviseStudy] as const;

  constructor(
    private readonly studies: StudiesRepository,
    private readonly variants: VariantsRepository,
    private readonly results: ResultsRepository,
    private readonly models: ModelsRepository,
    private readonly outcome: StudyOutcome,
    private readonly verifier: RecommendationVerifier,
    private readonly requests: StudyRequests,
  ) {}

  async handle(job: Job<Payload>): Promise<void> {
    const { studyId } = job.data;
    const study = await this.studies.get(studyId);
    if (!study || isTerminal(study.status)) return;
    const [variants, measurements, accuracy, model] = await Promise.all([
      this.variants.many(study.variantIds),
      this.results.measurements(studyId, true),
      this.results.accuracy(studyId),
      this.models.find(study.teamId, study.modelId),
    ]);
    if (!model) throw finalFailure('MODEL_NOT_FOUND', 'the study’s model was deleted');
    const baselineMeasured = measurements.some((m) => variants.find((v) => v.id === m.variantId)?.operators.join() === 'identity');
    if (!baselineMeasured) {
      const reasons = study.failures.map((f) => `${f.job}${f.tier ? ` on ${f.tier}` : ''}: ${f.code}: ${f.message}`).slice(0, 5);
      await this.outcome.fail(
        studyId,
        `the baseline model could not be measured on any tier${reasons.length ? ` (${reasons.join('; ')})` : ''}`,
      );
      return;
    }
    const input = adviseInput({ study, variants, measurements, accuracy, modelInputs: model.inputs, modelOutputs: model.outputs });
    // What the tier a request reaches spends reading it (decode, preprocess), measured on the study's own requests.
    if (input.network?.request) {
      const tiers = [...new Set(input.measurements.map((m) => m.tier))];
      input.network.request.decode = await this.requests.decodeCost(study, model.inputs, input.network.request.encoding, tiers);
    }
    const advice: Advice = advise(input);
    const metrics = [...new Set(accuracy.map((a) => a.metric))];
    const report = buildReport(advice, {
      ...(metrics.length > 0 ? { accuracyMetric: metrics.map(primaryLabel).join(' / ') } : {}),
      title: `Tierwise study of ${model.name}`,
      methodNote: METHOD_NOTE,
      generatedAt: new Date().toISOString(),
      inputShapes: measuredInputs(measurements),
      buildInputShapes: builtInputs(variants),
    });
    await this.results.replaceRecommendations(
      studyId,
      advice.candidates.map((c) => ({
        rank: c.rank,
        variantId: c.variantId,
        scenario: c.scenario,
        feasible: c.feasible,
        pareto: c.pareto,
        latencyMs: c.latency.p50Ms,
        accuracy: c.accuracy,
        explanation: c.explanation,
        violations: c.violations,
        details: {
          id: c.id,
          shortName: c.shortName,
          label: c.label,
          operators: c.operators,
          cut: c.cut ?? null,
          tiers: c.tiers,
          latency: c.latency,
          accuracyDrop: c.accuracyDrop,
          sizeBytes: c.sizeBytes,
          peakMemoryBytes: c.peakMemoryBytes,
          comparison: c.comparison ?? null,
          // Per leg and hop, what the network figure is made of (bandwidth each way, RTT, jitter, transport).
          networkHops: scenarioNetworkCost(
            c.scenario,
            {
              requestBytes: input.payloads.requestBytes,
              responseBytes: input.payloads.responseBytes,
              cutBytes: c.cut !== undefined ? input.payloads.cutBytes[c.cut] : undefined,
            },
            advice.network,
          ).hops,
          noisyShare: c.noisyShare ?? null,
        },
      })),
    );
    const top = advice.candidates.find((c) => c.id === advice.recommendedId);
    // effort.verify: the top recommendation measured on a real stack (null when not asked)
    const verification = await this.verifier.verify(study, advice, input, variants, model.inputs);
    if (verification) report.verification = verification;
    await this.outcome.complete(studyId, {
      recommendation: top
        ? { variantId: top.variantId, scenario: top.scenario, explanation: top.explanation, ...(verification ? { verification } : {}) }
        : null,
      summary: top ? top.explanation : 'No candidate meets every constraint; see each candidate’s violations.',
      crossovers: advice.crossovers,
      kruskalWallis: advice.kruskalWallis,
      skipped: advice.skipped,
      report,
    });
  }

  async onFinalFailure(job: Job<Payload>, failure: JobFailure): Promise<void> {
    await this.outcome.fail(job.data.studyId, `ranking failed: ${failure.message}`);
  }
}

/** Per built variant, the input shapes its build was probed and verified with. */
function builtInputs(
  variants: Array<{ id: string; status: string; inputShapes: InputShapesRecord | null }>,
): Record<string, InputShapesRecord> {
  return Object.fromEntries(variants.filter((v) => v.status === 'ready' && v.inputShapes).map((v) => [v.id, v.inputShapes!]));
}

/** Per variant, the input shapes its whole (or head) measurement ran with. */
function measuredInputs(
  measurements: Array<{ variantId: string; part: string; inputShapes: InputShapesRecord | null }>,
): Record<string, InputShapesRecord> {
  const out: Record<string, InputShapesRecord> = {};
  for (const m of measurements) if (m.inputShapes && m.part !== 'tail' && !out[m.variantId]) out[m.variantId] = m.inputShapes;
  return out;
}
