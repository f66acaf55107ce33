import type { InputTensor } from '../../onnx/io-spec';
import type { PreprocessSpec } from './preprocess-spec';

export interface DatasetSample {
  id: string;
  /** Class index, absent for unlabelled data. */
  label?: number;
  /** Bytes a client would send for this sample: the encoded file for images and audio, the UTF-8 text for text. */
  payloadBytes: number;
  /** Model inputs by input name, batch dimension 1. */
  inputs: Record<string, InputTensor>;
}

export type DatasetKind = 'images' | 'text' | 'tensors' | 'audio';

export interface LoadedDataset {
  kind: DatasetKind;
  labelled: boolean;
  classes?: string[];
  samples: DatasetSample[];
  /** The preprocessing that produced the inputs (given or suggested), so it can be stored and reused. */
  preprocess?: PreprocessSpec;
}
