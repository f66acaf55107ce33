import { TierwiseError } from '../../common/errors';
import type { TensorSpec } from '../../onnx/io-spec';
import type { LoadedDataset } from './types';
import { checkTaskFit, type TaskContract } from '../../evaluation/tasks/fit';

export interface ModelContract {
  inputs: TensorSpec[];
  /** Number of classes the model scores (the last dim of its classification output), when known. */
  classCount?: number;
  /** The model's task, decode spec and outputs: the labels must be the task's (evaluation/tasks/fit.ts). */
  task?: TaskContract;
}

function mismatch(message: string, details?: Record<string, unknown>): TierwiseError {
  return new TierwiseError('DATASET_MISMATCH', message, details);
}

function fits(dims: number[], spec: TensorSpec): boolean {
  if (!spec.shape) return true;
  if (dims.length !== spec.shape.length) return false;
  return spec.shape.every((dim, i) => typeof dim !== 'number' || dim < 0 || dim === dims[i]);
}

/**
 * Checks that every sample feeds exactly the model's inputs with the right element type and a shape its
 * fixed dims accept (batch 1), and that no label is outside the model's classes; DATASET_MISMATCH otherwise.
 */
export function validateDatasetForModel(dataset: LoadedDataset, model: ModelContract): void {
  if (model.task) checkTaskFit(dataset, model.task);
  const names = new Set(model.inputs.map((spec) => spec.name));
  for (const sample of dataset.samples) {
    for (const spec of model.inputs) {
      const tensor = sample.inputs[spec.name];
      if (!tensor)
        throw mismatch(
          `sample ${sample.id} has no input ${spec.name}, which the model needs (it has ${Object.keys(sample.inputs).join(', ') || 'none'})`,
        );
      if (spec.elemType !== 'unknown' && tensor.type !== spec.elemType) {
        throw mismatch(`sample ${sample.id}: input ${spec.name} is ${tensor.type}, the model expects ${spec.elemType}`);
      }
      if (!fits(tensor.dims, spec)) {
        throw mismatch(
          `sample ${sample.id}: input ${spec.name} has shape [${tensor.dims.join(',')}], the model expects [${(spec.shape ?? []).join(',')}]`,
        );
      }
    }
    const extra = Object.keys(sample.inputs).find((name) => !names.has(name));
    if (extra) throw mismatch(`sample ${sample.id} has input ${extra}, which the model does not have (it has ${[...names].join(', ')})`);
    if (model.classCount !== undefined && sample.label !== undefined && sample.label >= model.classCount) {
      throw mismatch(
        `sample ${sample.id} has label ${sample.label}, but the model scores only ${model.classCount} classes (0..${model.classCount - 1})`,
        { sample: sample.id, label: sample.label },
      );
    }
  }
}
