/**
 * The inputs engines feed a model (verification, calibration without a dataset, shape probes), from the one input
 * resolver, src/onnx/input-spec.ts, that studies and `tierwise bench` use too: the same spec gives the same shapes,
 * fills and errors everywhere. A dim nobody gave a value is INPUT_SPEC_REQUIRED (naming the input and the dim),
 * never 1; no batch dim is added (a scalar stays a scalar). Engines run strict by default (`assumeBatch: false`);
 * a study's builds resolve as the study did (a leading batch-named dim left open is 1, recorded as assumed).
 */
import type { InputTensor, TensorSpec } from '../onnx/io-spec';
import { realInputs, valueInfoToSpec, type ModelProto } from '../onnx';
import { DEFAULT_SEED, resolveInputs, synthesize, type InputSpec, type ResolveOptions, type ResolvedInput } from '../onnx/input-spec';

export interface EngineInputOptions extends ResolveOptions {
  /** Seed of the first sample; sample i uses seed + i. */
  seed?: number;
}

/** The model's real inputs (initializers listed as inputs left out), as the resolver takes them. */
export function modelInputSpecs(model: ModelProto): TensorSpec[] {
  return realInputs(model.graph!).map(valueInfoToSpec);
}

/** Shapes and fills for every real input of `model` under `spec`, or INPUT_SPEC_REQUIRED / INPUT_SPEC_INVALID. */
export function resolveEngineInputs(model: ModelProto, spec: InputSpec = {}, options: EngineInputOptions = {}): ResolvedInput[] {
  return resolveInputs(modelInputSpecs(model), spec, { assumeBatch: false, ...options });
}

/** `count` samples for `resolveEngineInputs(model, spec)`, differing in their random values only (seeded). */
export function engineSampleInputs(
  model: ModelProto,
  spec: InputSpec = {},
  count = 1,
  options: EngineInputOptions = {},
): Array<Record<string, InputTensor>> {
  const resolved = resolveEngineInputs(model, spec, options);
  return samplesOf(resolved, count, options.seed);
}

/** Tensors for already resolved inputs. */
export function samplesOf(resolved: readonly ResolvedInput[], count = 1, seed = DEFAULT_SEED): Array<Record<string, InputTensor>> {
  return Array.from({ length: count }, (_, i) => synthesize(resolved, seed + i) as Record<string, InputTensor>);
}

/** The dims of one sample's tensors, by input name (what the shape probe and the runner are asked to run at). */
export function shapesOf(sample: Record<string, InputTensor>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(sample).map(([name, t]) => [name, [...t.dims]]));
}
