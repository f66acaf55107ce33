import type { DatasetSample } from '../../datasets/formats/types';
import type { InputTensor } from '../../onnx/io-spec';
import { addOutput, realInputs, valueInfoToSpec } from '../../onnx/graph';
import { cloneModel, saveModel, type ModelProto } from '../../onnx/model-io';
import { batchInputs, openSession, toFeeds } from '../../onnx/runtime';
import { TierwiseError } from '../../common/errors';
import { updateHistogram, updateMinMax, type TensorStats } from './ranges';

export interface CalibrationOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Checks every sample against the model's inputs (names, element types, non-batch dims) before any run. */
export function checkSamples(model: ModelProto, samples: DatasetSample[], purpose = 'calibration'): void {
  if (samples.length === 0) throw new TierwiseError('CALIBRATION_EMPTY', `the ${purpose} set holds no samples`);
  const specs = realInputs(model.graph!).map(valueInfoToSpec);
  for (const sample of samples) {
    for (const spec of specs) {
      const tensor: InputTensor | undefined = sample.inputs[spec.name];
      if (!tensor) {
        throw new TierwiseError(
          'CALIBRATION_INPUT_MISMATCH',
          `${purpose} sample ${sample.id} has no tensor for model input "${spec.name}" (it has ${Object.keys(sample.inputs).join(', ') || 'none'})`,
        );
      }
      if (spec.elemType !== 'unknown' && tensor.type !== spec.elemType) {
        throw new TierwiseError(
          'CALIBRATION_INPUT_MISMATCH',
          `${purpose} sample ${sample.id}: input "${spec.name}" is ${tensor.type}, the model wants ${spec.elemType}`,
        );
      }
      const shape = spec.shape ?? [];
      const fits = tensor.dims.length === shape.length && shape.every((d, i) => i === 0 || typeof d !== 'number' || d === tensor.dims[i]);
      if (!fits || tensor.data.length !== tensor.dims.reduce((a, b) => a * b, 1)) {
        throw new TierwiseError(
          'CALIBRATION_INPUT_MISMATCH',
          `${purpose} sample ${sample.id}: input "${spec.name}" has shape [${tensor.dims}], the model wants [${shape.map((d) => d ?? '?')}]`,
        );
      }
    }
  }
}

/** How many samples one run may hold: 1 when the model fixes its batch dimension. */
function maxBatch(model: ModelProto, wanted: number, samples: DatasetSample[]): number {
  // Batch only when every input leads with the same symbolic dim: a fixed dim 0, a scalar (silero's `sr`) or a
  // state tensor ([2, batch, 128]) must be fed as it is, one sample per run.
  const leading = realInputs(model.graph!).map((i) => valueInfoToSpec(i).shape?.[0]);
  const batchable =
    leading.length > 0 &&
    leading.every((d) => typeof d === 'string' && d === leading[0]) &&
    samples.every((s) => Object.values(s.inputs).every((t) => t.dims[0] === 1));
  return batchable ? wanted : 1;
}

/**
 * Runs the samples with `tensors` exposed as outputs and collects min/max (first pass) and a histogram over that
 * range (second pass), enough for every calibration method without running again.
 */
export async function collectStats(
  model: ModelProto,
  tensors: string[],
  samples: DatasetSample[],
  options: CalibrationOptions = {},
): Promise<Map<string, TensorStats>> {
  checkSamples(model, samples);
  const probe = cloneModel(model);
  const graphInputs = new Set(realInputs(probe.graph!).map((i) => i.name ?? ''));
  for (const t of tensors) if (!graphInputs.has(t)) addOutput(probe.graph!, t);
  const session = await openSession(saveModel(probe), { optimization: 'basic' });
  const stats = new Map<string, TensorStats>(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
  const batch = maxBatch(model, options.batchSize ?? 16, samples);
  const total = samples.length * 2;
  try {
    for (const pass of [updateMinMax, updateHistogram]) {
      for (let start = 0; start < samples.length; start += batch) {
        const feeds = batch === 1 ? samples[start].inputs : batchInputs(samples.slice(start, start + batch).map((s) => s.inputs));
        const results = await session.run(toFeeds(feeds));
        for (const t of tensors) {
          const data = graphInputs.has(t) ? feeds[t].data : results[t]?.data;
          if (data instanceof Float32Array) pass(stats.get(t)!, data);
        }
        options.onProgress?.(Math.min(samples.length, start + batch) + (pass === updateHistogram ? samples.length : 0), total);
      }
    }
  } finally {
    await session.release();
  }
  for (const [name, s] of stats) if (!Number.isFinite(s.min)) stats.set(name, { min: 0, max: 0 });
  return stats;
}
