import type { NetworkProfile, Tier } from '../advisor/types';
import { scenarioTiers } from '../advisor/scenarios';
import { TIER_NAMES } from '../benchmark/tier-names';
import { topologyDefaults } from './study-topology';
import { chainKey } from '../operators/chain';
import { TierwiseError } from '../common/errors';
import type { ModelView, VariantView } from '../models/model.views';
import { isWhiteBoxOperator } from '../models/white-box';
import type { BuildStep } from '../operators/build/build-request';

/** Scenarios and tiers as the advisor knows them; the request arrives on mobile. */
export { DEFAULT_STUDY_SCENARIOS } from './study-options';

/** A variant the study needs: one that exists (uploaded or built before) or one to build from a parent. */
export interface PlannedVariant {
  /** The content address of its bytes: the blob sha for uploads, the chain key for built variants. */
  key: string;
  operators: string[];
  existingId?: string;
  parentKey?: string;
  step?: BuildStep;
  /** Partition variants are measured as head on `from` and tail on `to`, not as a whole. */
  partition?: { from: Tier; to: Tier };
}

export interface StudyPlan {
  tiers: Tier[];
  scenarios: string[];
  operators: string[];
  variants: PlannedVariant[];
}

export interface PlanRequest {
  tiers?: string[];
  scenarios?: string[];
  operators?: string[];
  hasDataset: boolean;
  /** The study's network (studyNetwork): the paper's fields, or its own links between named tiers. */
  network: NetworkProfile;
  maxAccuracyDrop?: number;
  /** Tiers this deployment and team have configured (default: the paper's three). */
  knownTiers?: readonly string[];
}

function invalid(field: string, message: string): TierwiseError {
  return new TierwiseError('STUDY_INVALID', `${field}: ${message}`, { field });
}

/** Part of every build's content address: raise it when a builder changes what it produces for the same input. */
const BUILDER_VERSION = 3;

/** Which variants, tiers and scenarios a study measures, from the model, its uploaded variants and the request. */
export function planStudy(model: ModelView, request: PlanRequest): StudyPlan {
  const known = request.knownTiers ?? TIER_NAMES;
  const defaults = topologyDefaults(request.network);
  const tiers = (request.tiers ?? defaults.tiers) as Tier[];
  for (const tier of tiers)
    if (!known.includes(tier))
      throw invalid('tiers', `unknown tier ${tier}; configured: ${known.join(', ')} (a team adds its own with POST /v1/tiers)`);
  const scenarios = request.scenarios ?? defaults.scenarios;
  for (const scenario of scenarios) {
    try {
      scenarioTiers(scenario, request.network);
    } catch (error) {
      throw invalid('scenarios', (error as Error).message);
    }
    const missing = scenario.split('|').filter((t) => !tiers.includes(t as Tier));
    if (missing.length > 0) throw invalid('scenarios', `${scenario} needs tier ${missing.join(', ')}, which the study does not include`);
  }
  const applicable = applicableOperators(model, request.hasDataset);
  const operators = request.operators ?? [
    'identity',
    ...applicable,
    ...new Set(
      model.variants
        .filter((v) => v.origin === 'uploaded')
        .flatMap((v) => v.operators)
        .filter((o) => isWhiteBoxOperator(o)),
    ),
  ];
  if (!operators.includes('identity')) operators.unshift('identity');
  for (const operator of operators) {
    if (operator === 'sptq' && !request.hasDataset) throw invalid('operators', 'sptq needs a dataset to calibrate on: give datasetId');
    if (isWhiteBoxOperator(operator) && !model.variants.some((v) => v.operators[0] === operator)) {
      throw invalid('operators', `no uploaded ${operator} variant of this model: upload it with POST /v1/models/${model.id}/variants`);
    }
  }

  const variants: PlannedVariant[] = [];
  const baseline = model.variants.find((v) => v.operators.length === 1 && v.operators[0] === 'identity')!;
  const existing = (v: VariantView): PlannedVariant => ({ key: v.sha256!, operators: v.operators, existingId: v.id });
  const derive = (parent: PlannedVariant, step: BuildStep, partition?: PlannedVariant['partition']): PlannedVariant => ({
    key: chainKey(parent.key, [{ ...step, params: { ...step.params, builder: BUILDER_VERSION } }]),
    operators: [...parent.operators.filter((o) => o !== 'identity'), step.operator],
    parentKey: parent.key,
    step,
    partition,
  });
  const base = existing(baseline);
  variants.push(base);
  const whiteBox = model.variants
    .filter((v) => v.origin === 'uploaded' && isWhiteBoxOperator(v.operators[0]) && operators.includes(v.operators[0]))
    .map(existing);
  variants.push(...whiteBox);
  const sptqParams = {
    method: 'minmax',
    perChannel: true,
    accuracyAware: request.maxAccuracyDrop !== undefined,
    maxDrop: request.maxAccuracyDrop ?? null,
    // Int8 that runs slower than the float model is no variant: slow groups stay fp32, or the build says
    // INT8_NOT_FASTER and the study keeps the float form (timed at one thread, where int8 matters most).
    latencyAware: true,
    threads: 1,
  };
  let baseSptq: PlannedVariant | undefined;
  if (operators.includes('sptq')) {
    baseSptq = derive(base, { operator: 'sptq', params: sptqParams });
    variants.push(baseSptq);
    for (const v of whiteBox) if (v.operators[0] !== 'qat') variants.push(derive(v, { operator: 'sptq', params: sptqParams }));
  }
  if (operators.includes('dynamic-int8')) variants.push(derive(base, { operator: 'dynamic-int8', params: {} }));
  if (operators.includes('prune')) variants.push(derive(base, { operator: 'prune', params: { sparsity: 0.5, scope: 'global' } }));
  if (operators.includes('early-exit')) variants.push(derive(base, { operator: 'early-exit', params: { skip: 'auto' } }));
  for (const scenario of scenarios.filter((s) => s.includes('|'))) {
    const [from, to] = scenario.split('|') as [Tier, Tier];
    const params = { from, to, ...request.network };
    for (const source of [base, baseSptq].filter((v): v is PlannedVariant => v !== undefined)) {
      variants.push(derive(source, { operator: 'partition', params }, { from, to }));
    }
  }
  return { tiers, scenarios, operators, variants };
}

/** Black-box operators worth trying on this model by default. */
export function applicableOperators(model: ModelView, hasDataset: boolean): string[] {
  const ops = model.opHistogram;
  const result: string[] = [];
  if (hasDataset) result.push('sptq');
  if ((ops.MatMul ?? 0) > 0) result.push('dynamic-int8');
  if ((ops.Conv ?? 0) + (ops.MatMul ?? 0) + (ops.Gemm ?? 0) > 0) result.push('prune');
  if ((ops.Add ?? 0) >= 2) result.push('early-exit');
  return result;
}
