import { readFile } from 'node:fs/promises';
import { TierwiseError } from '../common/errors';
import type { DatasetSample } from '../datasets/formats/types';
import type { InputTensor } from '../onnx/io-spec';
import type { Dim, ElementType, TensorSpec } from '../onnx/io-spec';
import { batchInputs, openSession, toFeeds, type ort } from '../onnx/runtime';

export const DEFAULT_BATCH_SIZE = 50;

/** A model opened for evaluation, with the I/O facts the evaluator needs. */
export interface EvaluationModel {
  session: ort.InferenceSession;
  inputs: TensorSpec[];
  output: TensorSpec;
  /** Every output of the model. */
  outputs: TensorSpec[];
  /** Axis of the scored output that holds the batch (1 for a time-major [T, N, C] CTC output). */
  batchAxis?: number;
  /** The batch dimension of every input is symbolic, so samples can be stacked. */
  dynamicBatch: boolean;
}

export interface ModelOutputs {
  /** One flattened output per sample, in sample order. */
  values: Float32Array[];
  /** Per-sample output dims (batch removed), as observed. */
  dims: number[];
  batchSize: number;
}

function specOf(meta: ort.InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) return { name: meta.name, elemType: 'unknown', shape: null };
  const shape: Dim[] = meta.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : typeof dim === 'string' ? dim : null));
  return { name: meta.name, elemType: meta.type as ElementType, shape };
}

/** The output scored: `preferredOutput` or `logits` when the model has it, else its first output. */
export async function openEvaluationModel(path: string, threads?: number, preferredOutput = 'logits'): Promise<EvaluationModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new TierwiseError('MODEL_NOT_FOUND', `cannot read model ${path}`);
  }
  const session = await openSession(bytes, { threads });
  const inputs = session.inputMetadata.map(specOf);
  const outputs = session.outputMetadata.map(specOf);
  const output = outputs.find((spec) => spec.name === preferredOutput) ?? outputs.find((spec) => spec.name === 'logits') ?? outputs[0];
  const dynamicBatch = inputs.every((spec) => spec.shape !== null && spec.shape.length > 0 && typeof spec.shape[0] !== 'number');
  return { session, inputs, output, outputs, dynamicBatch };
}

/** Classes the model scores: the last dim of a fixed [N, C] output with C >= 2. */
export function classCountOf(model: EvaluationModel): number | undefined {
  const shape = model.output.shape;
  if (!shape || shape.length !== 2) return undefined;
  const classes = shape[1];
  return typeof classes === 'number' && classes >= 2 ? classes : undefined;
}

function sameShapes(a: Record<string, InputTensor>, b: Record<string, InputTensor>): boolean {
  return Object.keys(a).every((name) => b[name] && a[name].dims.join(',') === b[name].dims.join(','));
}

/** Consecutive samples with equal input shapes, at most `size` per batch. */
function batches(samples: DatasetSample[], size: number): DatasetSample[][] {
  const groups: DatasetSample[][] = [];
  for (const sample of samples) {
    const last = groups[groups.length - 1];
    if (last && last.length < size && sameShapes(last[0].inputs, sample.inputs)) last.push(sample);
    else groups.push([sample]);
  }
  return groups;
}

function toFloat32(data: ort.Tensor['data']): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, Number);
  if (Array.isArray(data)) throw new TierwiseError('EVALUATION_FAILED', 'the scored output is a string tensor');
  return Float32Array.from(data as ArrayLike<number>);
}

/** Runs every sample through the model, stacking samples into batches when the batch dimension is dynamic. */
export async function runModel(model: EvaluationModel, samples: DatasetSample[], batchSize = DEFAULT_BATCH_SIZE): Promise<ModelOutputs> {
  const axis = model.batchAxis ?? 0;
  const size = model.dynamicBatch && axis === 0 ? Math.max(1, batchSize) : 1;
  const values: Float32Array[] = [];
  let dims: number[] = [];
  for (const group of batches(samples, size)) {
    const feeds = toFeeds(group.length === 1 ? group[0].inputs : batchInputs(group.map((s) => s.inputs)));
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await model.session.run(feeds, [model.output.name]);
    } catch (error) {
      throw new TierwiseError('EVALUATION_FAILED', `onnxruntime failed on sample ${group[0].id}: ${(error as Error).message}`);
    }
    const tensor = result[model.output.name];
    if (axis !== 0) {
      if (tensor.dims[axis] !== 1)
        throw new TierwiseError(
          'EVALUATION_FAILED',
          `output ${model.output.name} has batch ${tensor.dims[axis]} on axis ${axis} for 1 sample`,
        );
      dims = tensor.dims.filter((_, i) => i !== axis).map(Number);
      values.push(toFloat32(tensor.data).slice());
      continue;
    }
    if (tensor.dims[0] !== group.length) {
      throw new TierwiseError('EVALUATION_FAILED', `output ${model.output.name} has batch ${tensor.dims[0]} for ${group.length} samples`);
    }
    const flat = toFloat32(tensor.data);
    const per = flat.length / group.length;
    dims = tensor.dims.slice(1).map(Number);
    for (let i = 0; i < group.length; i++) values.push(flat.slice(i * per, (i + 1) * per));
  }
  return { values, dims, batchSize: size };
}
