import type { NetworkProfile } from '../../advisor/types';
import type { TierProfile } from '../../benchmark/tiers';
import { TierwiseError } from '../../common/errors';
import type { DatasetSample } from '../../datasets/formats/types';
import type { InputSpec } from '../../onnx/input-spec';
import type { InputTensor } from '../../onnx/io-spec';
import type { Tolerance } from '../verify';

/**
 * What an operator may need beyond the model and its parameters. A build fills in what the operator `needs`
 * (loading a dataset only for the operators that use one); a chain applied in-process passes what it has.
 */
export interface OperatorContext {
  /** Calibration samples (sptq; about 100, as INC uses). */
  calibration?: DatasetSample[];
  /** Labelled samples to score trials on (accuracy-aware sptq, the early-exit block choice). */
  evaluation?: DatasetSample[];
  /** Sample inputs at the shapes the study runs at (block listing, opset/fp16 conversion checks, partition probes). */
  feeds?: Array<Record<string, InputTensor>>;
  /** The study's input spec: probes resolve symbolic dims with it (never at 1 for a dim nobody gave). */
  inputSpec?: InputSpec;
  /** A study's partition: search the cut for this tier pair on the study's network, measuring the best few. */
  partitionSearch?: PartitionSearchContext;
}

export interface PartitionSearchContext {
  modelPath: string;
  network: NetworkProfile;
  /** The study's effort; `timeBudgetMs` (the study's, or its adaptive effort's default) bounds each search measurement. */
  effort: { warmup: number; runs: number; timeBudgetMs?: number };
  /** The study's tier profiles by name, when it fixed them (team tiers exist only here). */
  tierProfiles?: Record<string, TierProfile>;
  /** Mean bytes of one request (the dataset's encoded samples), when known. */
  requestBytes?: number;
}

export type ContextNeed = 'calibration' | 'evaluation' | 'feeds';

export interface PartitionOutput {
  head: Uint8Array;
  tail: Uint8Array;
  /** For a searched partition: the tail's real inputs (the head's cut tensors) for each sample input. */
  tailInputs?: Array<Record<string, InputTensor>>;
  report: { tensors: string[]; transferBytes: number; forwardedInputs: string[] } & Record<string, unknown>;
}

/** One model out (`bytes`), or a partition's two (`parts`). */
export interface OperatorOutput {
  bytes?: Uint8Array;
  parts?: PartitionOutput;
  report?: Record<string, unknown>;
}

/**
 * A black-box operator: model bytes and parameters in, a model (or a head and a tail) out. Every build — the
 * study's build child, operator chains — goes through the registry of these (./index.ts); a new operator is one
 * file here plus one line there.
 */
export interface Operator {
  readonly name: string;
  /** What the context must hold for `apply` with these params; a build loads exactly these. */
  needs(params: Record<string, unknown>): readonly ContextNeed[];
  /** How the written model must agree with its parent before it leaves the build (see verify.ts). */
  readonly tolerance: Tolerance;
  apply(bytes: Uint8Array, params: Record<string, unknown>, ctx: OperatorContext): Promise<OperatorOutput>;
}

/** A parameter that must be a non-empty list of tensor or node names. */
export function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new TierwiseError('CHAIN_PARAMS_INVALID', `${what} must be a non-empty list of names`);
  }
  return value as string[];
}
