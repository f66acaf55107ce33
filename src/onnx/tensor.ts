import { onnx, toNumber } from './model-io';
import type { ElementType } from './io-spec';
import { TierwiseError } from '../common/errors';

export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

const DT = onnx.TensorProto.DataType;
const ONNX_TO_ELEMENT: Record<number, ElementType> = {
  [DT.FLOAT]: 'float32', [DT.FLOAT16]: 'float16', [DT.DOUBLE]: 'float64', [DT.BFLOAT16]: 'bfloat16',
  [DT.INT8]: 'int8', [DT.UINT8]: 'uint8', [DT.INT16]: 'int16', [DT.UINT16]: 'uint16',
  [DT.INT32]: 'int32', [DT.UINT32]: 'uint32', [DT.INT64]: 'int64', [DT.UINT64]: 'uint64',
  [DT.BOOL]: 'bool', [DT.STRING]: 'string',
};
const ELEMENT_TO_ONNX = Object.fromEntries(Object.entries(ONNX_TO_ELEMENT).map(([k, v]) => [v, Number(k)])) as Record<string, number>;

export function elementTypeFromOnnx(code: number | null | undefined): ElementType {
  return ONNX_TO_ELEMENT[code ?? 0] ?? 'unknown';
}

export function onnxTypeFromElement(type: ElementType): number {
  const code = ELEMENT_TO_ONNX[type];
  if (code === undefined) throw new TierwiseError('ELEMENT_TYPE_UNSUPPORTED', `element type ${type} has no ONNX code`, 400);
  return code;
}

/** Typed-array constructor holding each element type's values (float16/bfloat16 as raw 16-bit patterns). */
const ARRAY_OF: Partial<Record<ElementType, { new (buffer: ArrayBuffer): NumericArray; BYTES_PER_ELEMENT: number }>> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, bfloat16: Uint16Array,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
};

export function tensorDims(tensor: onnx.ITensorProto): number[] {
  return (tensor.dims ?? []).map((d) => toNumber(d));
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function isExternal(tensor: onnx.ITensorProto): boolean {
  return tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0;
}

/** Reads a tensor's values into a fresh typed array (rawData is copied first: it views the file buffer, unaligned). */
export function tensorToArray(tensor: onnx.ITensorProto): NumericArray {
  const type = elementTypeFromOnnx(tensor.dataType);
  const Ctor = ARRAY_OF[type];
  const name = tensor.name ?? '(unnamed)';
  if (!Ctor) throw new TierwiseError('ELEMENT_TYPE_UNSUPPORTED', `tensor ${name} has element type ${type}, not numeric`, 400);
  if (isExternal(tensor)) throw new TierwiseError('MODEL_EXTERNAL_DATA', `tensor ${name} keeps its data in an external file`, 400);
  const count = elementCount(tensorDims(tensor));
  const raw = tensor.rawData;
  if (raw && raw.byteLength > 0) {
    if (raw.byteLength !== count * Ctor.BYTES_PER_ELEMENT) {
      throw new TierwiseError('MODEL_CORRUPT', `tensor ${name} holds ${raw.byteLength} bytes for ${count} ${type} values`, 400);
    }
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    return new Ctor(copy.buffer);
  }
  const out = new Ctor(new ArrayBuffer(count * Ctor.BYTES_PER_ELEMENT));
  const typed = typedFieldValues(tensor, type);
  if (typed.length !== count) {
    throw new TierwiseError('MODEL_CORRUPT', `tensor ${name} holds ${typed.length} values for shape [${tensorDims(tensor)}]`, 400);
  }
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    typed.forEach((v, i) => { out[i] = BigInt(typeof v === 'number' ? v : v.toString()); });
  } else {
    typed.forEach((v, i) => { out[i] = toNumber(v); });
  }
  return out;
}

type FieldValue = number | { toNumber(): number; toString(): string };
function typedFieldValues(tensor: onnx.ITensorProto, type: ElementType): FieldValue[] {
  switch (type) {
    case 'float32': return tensor.floatData ?? [];
    case 'float64': return tensor.doubleData ?? [];
    case 'int64': return (tensor.int64Data ?? []) as FieldValue[];
    case 'uint32': case 'uint64': return (tensor.uint64Data ?? []) as FieldValue[];
    default: return tensor.int32Data ?? [];
  }
}

function elementTypeOfArray(data: NumericArray): ElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'uint64';
}

/** Builds an initializer-ready TensorProto from a typed array (stored as rawData, little-endian as ONNX requires). */
export function makeTensor(name: string, dims: readonly number[], data: NumericArray, type: ElementType = elementTypeOfArray(data)): onnx.TensorProto {
  if (elementCount(dims) !== data.length) {
    throw new TierwiseError('TENSOR_SHAPE_MISMATCH', `tensor ${name}: ${data.length} values for shape [${dims}]`, 400);
  }
  const rawData = new Uint8Array(data.byteLength);
  rawData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: onnxTypeFromElement(type), rawData });
}
