import type { NetworkProfile } from '../../advisor/types';
import type { TierProfile } from '../../benchmark/tiers';
import type { PreprocessSpec } from '../../datasets/formats/preprocess-spec';
import type { DatasetKind } from '../../datasets/formats/types';
import type { InputShapesRecord, InputSpec } from '../../onnx/input-spec';

/** One operator applied to a parent model, with its parameters (part of the built variant's content address). */
export interface BuildStep {
  operator: string;
  params: Record<string, unknown>;
}

/** What a build child receives: file paths and small parameters only. */
export interface BuildRequest {
  step: BuildStep;
  parentPath: string;
  /** A fresh folder the child writes its outputs into. */
  outDir: string;
  dataset?: { path: string; kind: DatasetKind; preprocess?: PreprocessSpec; labelled: boolean };
  /** Calibration samples for sptq (the study used 100). */
  calibrationLimit: number;
  /** Samples scored per accuracy-aware trial. */
  evalLimit: number;
  /**
   * The study's input spec (shapes, dims, fills): without a dataset every probe, calibration and check of the build
   * runs at it; with one, the dataset's samples give the shapes.
   */
  inputSpec?: InputSpec;
  /** The study's network: the paper's fields, or its own links and origin (advisor NetworkProfile). */
  network: NetworkProfile;
  /** `timeBudgetMs`: the study's, or its adaptive effort's default (it bounds a partition search's measurements). */
  effort: { warmup: number; runs: number; timeBudgetMs?: number };
  /** The study's tier profiles by name (team tiers exist only here); a partition measures its head and tail on them. */
  tierProfiles?: Record<string, TierProfile>;
}

export interface BuildResult {
  /** The built model (for a partition: its head). */
  modelFile: string;
  /** A partition's tail, and samples of the real cut tensors to feed it when it is measured. */
  tailFile?: string;
  tailSamplesFile?: string;
  report: Record<string, unknown>;
  /** The input shapes (and fills) the build probed and verified with. */
  inputShapes: InputShapesRecord;
}
