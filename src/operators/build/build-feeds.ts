import type { InputTensor } from '../../onnx/io-spec';
import { loadDataset } from '../../datasets/formats';
import { describeModel, loadModel } from '../../onnx';
import { engineSampleInputs } from '../sample-inputs';
import type { BuildRequest } from './build-request';

/**
 * Sample inputs a build verifies its output with: the first few dataset samples when the study has a dataset,
 * else inputs from the study's input spec (INPUT_SPEC_REQUIRED when a symbolic dim has no value).
 */
export async function buildFeeds(request: BuildRequest, parent: Uint8Array, count = 4): Promise<Array<Record<string, InputTensor>>> {
  if (request.dataset) {
    const { path, kind, preprocess } = request.dataset;
    const { samples } = await loadDataset(path, { kind, preprocess, modelInputs: describeModel(parent).inputs, limit: count });
    if (samples.length > 0) return samples.map((s) => s.inputs);
  }
  return engineSampleInputs(loadModel(parent), request.inputSpec ?? {}, count);
}
