import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeSample } from '../../benchmark/inputs';
import { measure, type MeasureResult } from '../../benchmark/runner';
import type { TierOverride, TierProfile } from '../../benchmark/tiers';
import type { InputTensor } from '../../onnx/io-spec';
import { openSession, saveModel, toFeeds, type ModelProto } from '../../onnx';
import type { InputSpec } from '../../onnx/input-spec';
import { engineSampleInputs, type EngineInputOptions } from '../sample-inputs';
import { splitModel } from './extract';
import type { ShapeProbe } from './shape-probe';

export interface RunSettings {
  runs?: number;
  warmup?: number;
  /**
   * A time budget per measurement (a study's `timeBudgetMs`, or its adaptive effort's): runs stop at `runs` or when
   * the budget is spent, whichever comes first (at least 3), so a model of seconds per inference (ISNet) is searched
   * in bounded time while a fast one still gets its `runs`.
   */
  budgetMs?: number;
  tierOverrides?: Record<string, TierOverride>;
  /** Tier profiles by name (a study's); a tier not here is resolved from the configuration. */
  tierProfiles?: Record<string, TierProfile>;
}

/** Timed runs and the child's time limit: fixed `runs`, or `runs` as a cap under the time budget. */
export function runLimits(settings: RunSettings): { runs?: number; budgetMs?: number; maxRuns?: number; timeoutMs: number } {
  const runs = settings.runs ?? 30;
  if (settings.budgetMs === undefined) return { runs, timeoutMs: 120_000 };
  return { budgetMs: settings.budgetMs, maxRuns: runs, timeoutMs: 300_000 + settings.budgetMs };
}

export interface MeasuredSplit {
  id: string;
  headMs: number;
  tailMs: number;
  head: MeasureResult;
  tail: MeasureResult;
}

/** The inputs an engine synthesizes for `model` under `spec` (the one resolver, resolving as the shape probe does; same seed every time). */
export function runnerInputs(
  model: ModelProto,
  spec: InputSpec = {},
  options: EngineInputOptions = { assumeBatch: true },
): Record<string, InputTensor> {
  return engineSampleInputs(model, spec, 1, options)[0]!;
}

/**
 * Splits at `tensors`, measures the head on `from` and the tail on `to` with the runner. The tail is fed the
 * head's real outputs (and the forwarded graph inputs), so shape tensors and masks crossing the cut stay valid.
 */
export async function measureSplit(
  model: ModelProto,
  tensors: readonly string[],
  probe: ShapeProbe,
  from: string,
  to: string,
  workDir: string,
  inputs: Record<string, InputTensor>,
  settings: RunSettings = {},
): Promise<MeasuredSplit> {
  const { head, tail } = splitModel(model, tensors, probe);
  const id = tensors.join('+');
  const slug = id.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(-80);
  const headPath = join(workDir, `${slug}.head.onnx`);
  const tailPath = join(workDir, `${slug}.tail.onnx`);
  const headBytes = saveModel(head);
  writeFileSync(headPath, headBytes);
  writeFileSync(tailPath, saveModel(tail));
  const headInputs = Object.fromEntries(head.graph!.input!.map((v) => [v.name!, inputs[v.name!]]));
  const headOutputs = await runOnce(headBytes, headInputs);
  const tailInputs = Object.fromEntries(tail.graph!.input!.map((v) => [v.name!, headOutputs[v.name!] ?? inputs[v.name!]]));
  const headSamples = join(workDir, `${slug}.head-samples.json`);
  const tailSamples = join(workDir, `${slug}.tail-samples.json`);
  writeFileSync(headSamples, JSON.stringify([serializeSample('head', headInputs)]));
  writeFileSync(tailSamples, JSON.stringify([serializeSample('tail', tailInputs)]));
  const common = { ...runLimits(settings), warmup: settings.warmup ?? 5 };
  const headResult = await measure({
    ...common,
    modelPath: headPath,
    tier: settings.tierProfiles?.[from] ?? from,
    tierOverride: settings.tierOverrides?.[from],
    inputs: { kind: 'samples', path: headSamples },
  });
  const tailResult = await measure({
    ...common,
    modelPath: tailPath,
    tier: settings.tierProfiles?.[to] ?? to,
    tierOverride: settings.tierOverrides?.[to],
    inputs: { kind: 'samples', path: tailSamples },
  });
  return { id, headMs: headResult.p50, tailMs: tailResult.p50, head: headResult, tail: tailResult };
}

async function runOnce(bytes: Uint8Array, feeds: Record<string, InputTensor>): Promise<Record<string, InputTensor>> {
  const session = await openSession(bytes, { optimization: 'disabled', threads: 1 });
  try {
    const out = await session.run(toFeeds(feeds));
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => [
        name,
        { type: t.type as InputTensor['type'], dims: [...t.dims], data: t.data as InputTensor['data'] },
      ]),
    );
  } finally {
    await session.release();
  }
}
