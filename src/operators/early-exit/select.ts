import { TierwiseError } from '../../common/errors';
import { saveModel, type ModelProto } from '../../onnx';
import type { ResidualBlock } from './blocks';
import { bypassBlocks } from './bypass';

export interface ExitEvaluators {
  /** Accuracy (any higher-is-better metric) of a model's bytes, e.g. top-1 on a held-out split. */
  accuracy: (modelBytes: Uint8Array) => Promise<number>;
  /** Latency of a model's bytes; without it the saving is the skipped blocks' share of MACs. */
  latency?: (modelBytes: Uint8Array) => Promise<number>;
}

export interface ExitVariant {
  skipped: string[];
  accuracy: number;
  accuracyLoss: number;
  /** Milliseconds saved when a latency evaluator was given, otherwise the share of MACs removed (0–1). */
  saving: number;
  savingUnit: 'ms' | 'mac-share';
  modelBytes: Uint8Array;
}

export interface ExitSelection {
  baseline: { accuracy: number; latencyMs?: number };
  /** Every variant evaluated, in the order built. */
  evaluated: ExitVariant[];
  /** Variants no other beats on both accuracy loss and saving, least saving first. */
  front: ExitVariant[];
}

/**
 * Greedy search over bypass sets: at each size 1…maxSkipped, add to the previous best set the block whose
 * bypass costs the least accuracy per unit saved. Then keep the Pareto front of loss against saving.
 */
export async function selectExitVariants(
  model: ModelProto,
  blocks: readonly ResidualBlock[],
  evaluators: ExitEvaluators,
  maxSkipped = 3,
): Promise<ExitSelection> {
  const candidates = blocks.filter((b) => b.bypassable);
  if (candidates.length === 0) throw new TierwiseError('EARLY_EXIT_NO_BLOCKS', 'the model has no bypassable residual block');
  if (!(Number.isInteger(maxSkipped) && maxSkipped >= 1))
    throw new TierwiseError('EARLY_EXIT_OPTIONS_INVALID', `maxSkipped must be a positive integer, got ${maxSkipped}`);
  const baseBytes = saveModel(model);
  const baseline = {
    accuracy: await evaluators.accuracy(baseBytes),
    latencyMs: evaluators.latency ? await evaluators.latency(baseBytes) : undefined,
  };
  const evaluated: ExitVariant[] = [];
  let current: string[] = [];
  for (let size = 1; size <= Math.min(maxSkipped, candidates.length); size++) {
    let best: { variant: ExitVariant; score: number } | undefined;
    for (const block of candidates.filter((b) => !current.includes(b.id))) {
      const skipped = [...current, block.id];
      const bytes = saveModel(bypassBlocks(model, blocks, skipped));
      const accuracy = await evaluators.accuracy(bytes);
      const saving =
        evaluators.latency && baseline.latencyMs !== undefined
          ? baseline.latencyMs - (await evaluators.latency(bytes))
          : skipped.reduce((s, id) => s + blocks.find((b) => b.id === id)!.macShare, 0);
      const variant: ExitVariant = {
        skipped,
        accuracy,
        accuracyLoss: baseline.accuracy - accuracy,
        saving,
        savingUnit: evaluators.latency ? 'ms' : 'mac-share',
        modelBytes: bytes,
      };
      evaluated.push(variant);
      const score = variant.accuracyLoss / Math.max(saving, 1e-9);
      if (!best || score < best.score) best = { variant, score };
    }
    current = best!.variant.skipped;
  }
  return { baseline, evaluated, front: paretoFront(evaluated) };
}

export function paretoFront(variants: readonly ExitVariant[]): ExitVariant[] {
  const dominated = (v: ExitVariant): boolean =>
    variants.some(
      (o) =>
        o !== v && o.saving >= v.saving && o.accuracyLoss <= v.accuracyLoss && (o.saving > v.saving || o.accuracyLoss < v.accuracyLoss),
    );
  return variants.filter((v) => !dominated(v)).sort((a, b) => a.saving - b.saving);
}
