import type { DatasetSample } from '../../datasets/formats/types';
import type { InputTensor } from '../../onnx/io-spec';
import { toFloat32Checked } from '../float32-baseline';
import { upgradeOpset } from '../opset-upgrade';
import type { Verification } from '../verify';

/** What was done to the model before quantizing it, each step checked against the original on sample inputs. */
export interface Preparation {
  float32?: { initializers: number; casts: number; constants: number; verification: Verification };
  opset?: { from: number; to: number; rewritten: Record<string, number>; verification: Verification };
}

export type FeedSource = () => Array<Record<string, InputTensor>>;

/** Feeds for checks from calibration samples (the first few, as they are: no batch dim added). */
export function feedsFromSamples(samples: DatasetSample[], count = 4): FeedSource {
  return () => samples.slice(0, count).map((s) => s.inputs);
}

/**
 * fp16 graphs become fp32 (quantizing from the fp32 values of the fp16 weights), old opsets are converted to
 * `minOpset`; both conversions are verified against the original before quantization goes on.
 */
export async function prepareForQuantization(
  bytes: Uint8Array,
  minOpset: number,
  feeds: FeedSource,
): Promise<{ bytes: Uint8Array; preparation: Preparation }> {
  const preparation: Preparation = {};
  const fp32 = await toFloat32Checked(bytes, feeds);
  if (fp32.conversion) preparation.float32 = fp32.conversion;
  const upgraded = await upgradeOpset(fp32.bytes, minOpset, feeds);
  if (upgraded.conversion) preparation.opset = upgraded.conversion;
  return { bytes: upgraded.bytes, preparation };
}
