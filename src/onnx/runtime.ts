import * as ort from 'onnxruntime-node';
import type { InputTensor } from './io-spec';
import type { ElementType } from './io-spec';
import { TierwiseError } from '../common/errors';

export { ort };

export interface SessionSettings {
  threads?: number;
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  optimizedModelFilePath?: string;
  enableProfiling?: boolean;
  profileFilePrefix?: string;
}

/**
 * Opens an onnxruntime session from the model's bytes, or from a file path (onnxruntime then reads external data
 * files beside it itself: the way to run a model over 2 GiB). Load failures (bad graph, unsupported op) become
 * MODEL_UNLOADABLE.
 */
export async function openSession(bytes: Uint8Array | string, settings: SessionSettings = {}): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: settings.optimization ?? 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(settings.threads ? { intraOpNumThreads: settings.threads } : {}),
    ...(settings.optimizedModelFilePath ? { optimizedModelFilePath: settings.optimizedModelFilePath } : {}),
    ...(settings.enableProfiling ? { enableProfiling: true, profileFilePrefix: settings.profileFilePrefix } : {}),
  };
  try {
    return typeof bytes === 'string'
      ? await ort.InferenceSession.create(bytes, options)
      : await ort.InferenceSession.create(bytes, options);
  } catch (error) {
    throw new TierwiseError(
      'MODEL_UNLOADABLE',
      `onnxruntime cannot load the model: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export function toOrtTensor(tensor: InputTensor): ort.Tensor {
  return new ort.Tensor(tensor.type as ort.Tensor.Type, tensor.data, tensor.dims);
}

export function toFeeds(inputs: Record<string, InputTensor>): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, toOrtTensor(t)]));
}

/** Concatenates batch-1 samples along dimension 0 (all samples must share the other dimensions). */
export function batchInputs(samples: Array<Record<string, InputTensor>>): Record<string, InputTensor> {
  const first = samples[0];
  const out: Record<string, InputTensor> = {};
  for (const name of Object.keys(first)) {
    const parts = samples.map((s) => s[name]);
    const per = parts[0].data.length;
    const Ctor = parts[0].data.constructor as new (n: number) => InputTensor['data'];
    const data = new Ctor(per * parts.length);
    parts.forEach((p, i) =>
      (data as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(p.data as ArrayLike<number | bigint>, i * per),
    );
    out[name] = { type: parts[0].type as ElementType, dims: [parts.length, ...parts[0].dims.slice(1)], data };
  }
  return out;
}
