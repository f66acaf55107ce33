import { loadModel, type ModelProto } from '../../onnx';
import { probeShapes, type ProbeInputs } from '../partition/shape-probe';
import { findResidualBlocks, type ResidualBlock } from './blocks';
import { bypassBlocks } from './bypass';

export { findResidualBlocks, type ResidualBlock } from './blocks';
export { bypassBlocks } from './bypass';
export { selectExitVariants, paretoFront, type ExitEvaluators, type ExitSelection, type ExitVariant } from './select';

/** The model's residual blocks with MAC/parameter shares at the probe's inputs (never 1 for a dim nobody gave). */
export async function listBlocks(model: ModelProto, at: ProbeInputs = {}): Promise<ResidualBlock[]> {
  return findResidualBlocks(model, await probeShapes(model, at));
}

/** The early-exit operator: `modelBytes` with the named residual blocks bypassed. */
export async function applyEarlyExit(modelBytes: Uint8Array, skip: readonly string[], at: ProbeInputs = {}): Promise<ModelProto> {
  const model = loadModel(modelBytes);
  return bypassBlocks(model, await listBlocks(model, at), skip);
}
