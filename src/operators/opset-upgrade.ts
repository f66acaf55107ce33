import type { InputTensor } from '../onnx/io-spec';
import { loadModel, opsetVersion, saveModel } from '../onnx';
import { convertOpset } from '../onnx/opset';
import { TOLERANCES, verifyModel, type Verification } from './verify';

export interface OpsetUpgrade {
  bytes: Uint8Array;
  /** Absent when the model already imports `target` or later. */
  conversion?: { from: number; to: number; rewritten: Record<string, number>; verification: Verification };
}

/**
 * The model at opset `target` or later: converted by the opset converter, then checked to give the original's
 * outputs on `feeds` (relative 1e-4) before anything else runs. OPSET_UNCONVERTIBLE / ENGINE_OUTPUT_* otherwise.
 */
export async function upgradeOpset(
  bytes: Uint8Array,
  target: number,
  feeds: () => Array<Record<string, InputTensor>>,
): Promise<OpsetUpgrade> {
  const model = loadModel(bytes);
  if ((opsetVersion(model, '') ?? 0) >= target) return { bytes };
  const converted = convertOpset(model, target);
  const out = saveModel(converted.model);
  const verification = await verifyModel('opset-converter', bytes, out, feeds(), TOLERANCES.opset);
  return { bytes: out, conversion: { from: converted.from, to: converted.to, rewritten: converted.rewritten, verification } };
}
