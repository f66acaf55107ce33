import { onnx } from './proto';
import { TierwiseError } from '../common/errors';

export { onnx };
export type ModelProto = onnx.ModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;

/** Hard ceiling so a hostile upload cannot make us decode gigabytes into objects. */
const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Decodes a ModelProto. Tensor `rawData` fields stay views into `bytes`, so callers must not mutate `bytes`
 * afterwards; `tensorToArray` copies before reinterpreting. Anything that is not a model with a graph is
 * MODEL_CORRUPT: protobufjs errors (truncation, bad wire types, stack overflow on deep nesting) are caught here.
 */
export function loadModel(bytes: Uint8Array, label = 'model'): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} is empty`, 400);
  }
  if (bytes.byteLength > MAX_MODEL_BYTES) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} is larger than 2 GiB, the protobuf limit`, 400);
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TierwiseError('MODEL_CORRUPT', `${label} does not decode as an ONNX ModelProto: ${reason}`, 400);
  }
  if (!model.graph || !Array.isArray(model.graph.node)) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} decodes but holds no graph`, 400);
  }
  return model;
}

export function saveModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A deep, independent copy (the encoded form owns its bytes, so later edits never touch the source buffer). */
export function cloneModel(model: onnx.IModelProto): onnx.ModelProto {
  return onnx.ModelProto.decode(Uint8Array.from(saveModel(model)));
}

/** Converts protobufjs int64 values (Long or number) to a JS number. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** The opset version imported for `domain` ('' = the default ONNX domain), or undefined. */
export function opsetVersion(model: onnx.IModelProto, domain = ''): number | undefined {
  const entry = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'));
  return entry ? toNumber(entry.version) : undefined;
}

/** Makes sure `domain` is imported at `minVersion` or later (ops we insert may need a newer opset). */
export function ensureOpset(model: onnx.IModelProto, domain: string, minVersion: number): void {
  model.opsetImport ??= [];
  const entry = model.opsetImport.find((o) => (o.domain ?? '') === domain);
  if (!entry) model.opsetImport.push(onnx.OperatorSetIdProto.create({ domain, version: minVersion }));
  else if (toNumber(entry.version) < minVersion) entry.version = minVersion;
}
