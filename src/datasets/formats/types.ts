import type { InputTensor } from '../../onnx/io-spec';
import type { PreprocessSpec } from './preprocess-spec';
import type { LabelKind, TaskTarget } from './task-labels';

export interface DatasetSample {
  id: string;
  /** Class index, absent for unlabelled data. */
  label?: number;
  /** Boxes, a mask or a text: labels of the detection / segmentation / sequence layouts (task-labels.ts). */
  target?: TaskTarget;
  /** Bytes a client would send for this sample: the encoded file for images and audio, the UTF-8 text for text. */
  payloadBytes: number;
  /** Model inputs by input name, batch dimension 1. */
  inputs: Record<string, InputTensor>;
}

export type DatasetKind = 'images' | 'text' | 'tensors' | 'audio';

export interface LoadedDataset {
  kind: DatasetKind;
  labelled: boolean;
  /** Which labels the samples carry (absent when unlabelled). */
  labelKind?: LabelKind;
  /** Where the task labels came from (annotations.json, labels/*.txt, masks/, labels.csv). */
  labelSource?: string;
  classes?: string[];
  /** Detection labels: categories in ascending id order (the model's class k is the k-th). */
  categories?: { id: number; name: string }[];
  /** Sequence datasets: chars.txt, characters by class index. */
  charset?: string[];
  samples: DatasetSample[];
  /** The preprocessing that produced the inputs (given or suggested), so it can be stored and reused. */
  preprocess?: PreprocessSpec;
}
