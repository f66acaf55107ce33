import type { ModelDescription } from '../onnx/describe';
import type { TensorSpec } from '../onnx/io-spec';
import type { BundleManifest } from './external-data';

export interface VariantView {
  id: string;
  modelId: string;
  operators: string[];
  origin: 'uploaded' | 'built';
  status: 'pending' | 'building' | 'ready' | 'failed';
  sha256: string | null;
  sizeBytes: number | null;
  params: unknown;
  notes: string | null;
  error: string | null;
  createdAt: string;
}

export interface ModelView {
  id: string;
  name: string;
  task: string;
  /** The task was guessed from the outputs at upload (not set by a user). */
  taskGuessed: boolean;
  /** The task's decode spec, defaults filled (src/evaluation/tasks/task.ts). */
  postprocess: Record<string, unknown>;
  sha256: string;
  sizeBytes: number;
  opset: number;
  irVersion: number;
  producer: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  paramCount: number;
  opHistogram: Record<string, number>;
  createdAt: string;
  variants: VariantView[];
  /** Present when the weights live in external data files: the bundle's files (src/models/external-data.ts). */
  externalData?: BundleManifest;
}

export type { Page } from '../common/pagination';

/** What the inspection child learns about an uploaded file. */
export type ModelInspection = Omit<ModelDescription, 'externalData' | 'hasSubgraphs'>;
