import { DEFAULT_STUDY_SCENARIOS } from '../studies/study-options';
import { TierwiseError } from '../common/errors';
import { networkTiers, scenarioTiers } from './scenarios';
import type { Constraints, ScenarioId, StudyInput } from './types';

const CONSTRAINT_KEYS: Array<keyof Constraints> = ['maxAccuracyDrop', 'latencyBudgetMs', 'maxModelBytes', 'maxMemoryBytes', 'minFidelity'];

function fail(message: string): never {
  throw new TierwiseError('ADVISOR_INPUT_INVALID', message);
}

function nonNegative(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${what} must be a finite number >= 0, got ${String(value)}`);
}

/** Checks the study input once, up front, so the engines below can trust it and errors name the culprit. */
export function validateStudyInput(input: StudyInput): void {
  const ids = new Set<string>();
  for (const variant of input.variants) {
    if (!variant.id) fail('every variant needs an id');
    if (ids.has(variant.id)) fail(`variant "${variant.id}" appears twice`);
    ids.add(variant.id);
    nonNegative(variant.sizeBytes, `variant "${variant.id}" sizeBytes`);
    if (variant.accuracy) nonNegative(variant.accuracy.value, `variant "${variant.id}" accuracy.value`);
  }
  if (!ids.has(input.baselineVariantId)) fail(`baseline variant "${input.baselineVariantId}" is not among the variants`);

  const tiers = networkTiers(input.network);
  const seen = new Set<string>();
  input.measurements.forEach((m, i) => {
    const where = `measurement ${i} (${m.variantId} on ${m.tier}, ${m.part})`;
    if (!ids.has(m.variantId)) fail(`${where} names an unknown variant`);
    if (!tiers.includes(m.tier)) fail(`${where} names an unknown tier; expected ${tiers.join(', ')}`);
    if (!['whole', 'head', 'tail'].includes(m.part)) fail(`${where} has an unknown part; expected whole, head or tail`);
    if (m.part !== 'whole' && !m.cut) fail(`${where} needs the cut it was split at`);
    if (m.part === 'head' && input.payloads.cutBytes[m.cut ?? ''] === undefined)
      fail(`${where}: payloads.cutBytes has no size for cut "${m.cut}"`);
    if (!Array.isArray(m.samplesMs) || m.samplesMs.length === 0) fail(`${where} has no latency samples`);
    if (!m.samplesMs.every((s) => Number.isFinite(s) && s >= 0)) fail(`${where} has a latency sample that is negative or not finite`);
    nonNegative(m.peakMemoryBytes, `${where} peakMemoryBytes`);
    const key = `${m.variantId}|${m.tier}|${m.part}|${m.cut ?? ''}`;
    if (seen.has(key)) fail(`${where} is measured twice`);
    seen.add(key);
  });

  nonNegative(input.payloads.requestBytes, 'payloads.requestBytes');
  nonNegative(input.payloads.responseBytes, 'payloads.responseBytes');
  for (const [cut, bytes] of Object.entries(input.payloads.cutBytes)) nonNegative(bytes, `payloads.cutBytes["${cut}"]`);
  const decode = input.network?.request?.decode;
  if (decode?.status === 'measured')
    for (const key of ['requestMs', 'sampleMs'] as const)
      for (const [tier, ms] of Object.entries(decode[key])) nonNegative(ms, `network.request.decode.${key}["${tier}"]`);
  for (const key of CONSTRAINT_KEYS) if (input.constraints?.[key] !== undefined) nonNegative(input.constraints[key], `constraints.${key}`);
  for (const scenario of input.scenarios ?? []) {
    try {
      scenarioTiers(scenario, input.network);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  if (input.alpha !== undefined && !(input.alpha > 0 && input.alpha < 1)) fail(`alpha must be within (0, 1), got ${input.alpha}`);
}

export const DEFAULT_SCENARIOS: readonly ScenarioId[] = DEFAULT_STUDY_SCENARIOS;
