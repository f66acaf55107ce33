import type { InputTensor } from '../../onnx/io-spec';
import { loadDataset } from '../../datasets/formats';
import { describeModel, loadModel } from '../../onnx';
import { recordOf, recordOfTensors, type InputShapesRecord } from '../../onnx/input-spec';
import { resolveEngineInputs, samplesOf } from '../sample-inputs';
import type { BuildRequest } from './build-request';

export interface BuildFeeds {
  feeds: Array<Record<string, InputTensor>>;
  /** The shapes and fills the build ran its probe and checks with (recorded on the variant). */
  inputShapes: InputShapesRecord;
}

/**
 * Sample inputs a build probes, calibrates and verifies with: the first few dataset samples when the study has a
 * dataset (their shapes are the preprocessed samples'), else inputs from the study's input spec, resolved as the
 * study's benchmarks resolve it (the one resolver; INPUT_SPEC_REQUIRED when a symbolic dim has no value, never 1).
 */
export async function buildFeeds(request: BuildRequest, parent: Uint8Array, count = 4): Promise<BuildFeeds> {
  if (request.dataset) {
    const { path, kind, preprocess } = request.dataset;
    const { samples } = await loadDataset(path, { kind, preprocess, modelInputs: describeModel(parent).inputs, limit: count });
    if (samples.length > 0) return { feeds: samples.map((s) => s.inputs), inputShapes: recordOfTensors(samples[0]!.inputs, 'dataset') };
  }
  // A study resolves its spec with the batch assumption (recorded as assumed); its builds resolve it the same way.
  const resolved = resolveEngineInputs(loadModel(parent), request.inputSpec ?? {}, { assumeBatch: true });
  return { feeds: samplesOf(resolved, count), inputShapes: recordOf(resolved) };
}
