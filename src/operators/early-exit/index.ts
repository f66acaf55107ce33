import { loadModel, type ModelProto } from '../../onnx';
import { probeShapes } from '../partition/shape-probe';
import { findResidualBlocks, type ResidualBlock } from './blocks';
import { bypassBlocks } from './bypass';

export { findResidualBlocks, type ResidualBlock } from './blocks';
export { bypassBlocks } from './bypass';
export { selectExitVariants, paretoFront, type ExitEvaluators, type ExitSelection, type ExitVariant } from './select';

/** The model's residual blocks with MAC/parameter shares at `shapes` (symbolic dims default to 1). */
export async function listBlocks(model: ModelProto, shapes?: Record<string, number[]>): Promise<ResidualBlock[]> {
  return findResidualBlocks(model, await probeShapes(model, shapes));
}

/** The early-exit operator: `modelBytes` with the named residual blocks bypassed. */
export async function applyEarlyExit(modelBytes: Uint8Array, skip: readonly string[]): Promise<ModelProto> {
  const model = loadModel(modelBytes);
  return bypassBlocks(model, await listBlocks(model), skip);
}
