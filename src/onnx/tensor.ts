import { onnx, toNumber } from './model-io';
import type { ElementType } from './io-spec';
import { TierwiseError } from '../common/errors';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

const DT = onnx.TensorProto.DataType;
const ONNX_TO_ELEMENT: Record<number, ElementType> = {
  [DT.FLOAT]: 'float32',
  [DT.FLOAT16]: 'float16',
  [DT.DOUBLE]: 'float64',
  [DT.BFLOAT16]: 'bfloat16',
  [DT.INT8]: 'int8',
  [DT.UINT8]: 'uint8',
  [DT.INT16]: 'int16',
  [DT.UINT16]: 'uint16',
  [DT.INT32]: 'int32',
  [DT.UINT32]: 'uint32',
  [DT.INT64]: 'int64',
  [DT.UINT64]: 'uint64',
  [DT.BOOL]: 'bool',
  [DT.STRING]: 'string',
  [DT.COMPLEX64]: 'complex64',
  [DT.COMPLEX128]: 'complex128',
  [DT.FLOAT8E4M3FN]: 'float8e4m3fn',
  [DT.FLOAT8E4M3FNUZ]: 'float8e4m3fnuz',
  [DT.FLOAT8E5M2]: 'float8e5m2',
  [DT.FLOAT8E5M2FNUZ]: 'float8e5m2fnuz',
  [DT.FLOAT8E8M0]: 'float8e8m0',
  [DT.FLOAT4E2M1]: 'float4e2m1',
  [DT.UINT4]: 'uint4',
  [DT.INT4]: 'int4',
  [DT.UINT2]: 'uint2',
  [DT.INT2]: 'int2',
};
const ELEMENT_TO_ONNX = Object.fromEntries(Object.entries(ONNX_TO_ELEMENT).map(([k, v]) => [v, Number(k)])) as Record<string, number>;

export function elementTypeFromOnnx(code: number | null | undefined): ElementType {
  return ONNX_TO_ELEMENT[code ?? 0] ?? 'unknown';
}

export function onnxTypeFromElement(type: ElementType): number {
  const code = ELEMENT_TO_ONNX[type];
  if (code === undefined) throw new TierwiseError('ELEMENT_TYPE_UNSUPPORTED', `element type ${type} has no ONNX code`);
  return code;
}

export type Float8Type = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'float8e8m0';
const FLOAT8 = new Set<ElementType>(['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0']);
/** Elements packed several to a byte (first element in the least significant bits), with their bit width. */
const SUB_BYTE: Partial<Record<ElementType, number>> = { int4: 4, uint4: 4, float4e2m1: 4, int2: 2, uint2: 2 };

/**
 * Typed array holding each element type's values as `tensorToArray` returns them: float16/bfloat16 as raw 16-bit
 * patterns, float8 as raw 8-bit patterns, float4e2m1 as one 4-bit code per byte, int4/int2 (uint4/uint2) unpacked,
 * one value per element, complex as interleaved (real, imaginary) pairs.
 */
const ARRAY_OF: Partial<Record<ElementType, { new (buffer: ArrayBuffer): NumericArray; BYTES_PER_ELEMENT: number }>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  complex64: Float32Array,
  complex128: Float64Array,
  float8e4m3fn: Uint8Array,
  float8e4m3fnuz: Uint8Array,
  float8e5m2: Uint8Array,
  float8e5m2fnuz: Uint8Array,
  float8e8m0: Uint8Array,
  float4e2m1: Uint8Array,
  int4: Int8Array,
  uint4: Uint8Array,
  int2: Int8Array,
  uint2: Uint8Array,
};

/** Array values per tensor element (complex numbers take two). */
function valuesPerElement(type: ElementType): number {
  return type === 'complex64' || type === 'complex128' ? 2 : 1;
}

/** Bytes a tensor of `count` elements occupies in raw_data (and in external data). */
export function rawByteLength(type: ElementType, count: number): number {
  const bits = SUB_BYTE[type];
  if (bits) return Math.ceil((count * bits) / 8);
  const Ctor = ARRAY_OF[type];
  if (!Ctor) throw new TierwiseError('ELEMENT_TYPE_UNSUPPORTED', `element type ${type} has no fixed width`);
  return count * valuesPerElement(type) * Ctor.BYTES_PER_ELEMENT;
}

export function tensorDims(tensor: onnx.ITensorProto): number[] {
  return (tensor.dims ?? []).map((d) => toNumber(d));
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function isExternal(tensor: onnx.ITensorProto): boolean {
  return tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0;
}

/**
 * Reads a tensor's values into a fresh typed array, from raw_data when present, else from the typed field the ONNX
 * spec assigns to the element type (rawData is copied first: it views the file buffer, unaligned). Raw data is
 * little-endian, as ONNX requires and as every host this runs on is. See ARRAY_OF for what each type returns;
 * `tensorToFloat32` decodes any numeric type to float32 values.
 */
export function tensorToArray(tensor: onnx.ITensorProto): NumericArray {
  const type = elementTypeFromOnnx(tensor.dataType);
  const Ctor = ARRAY_OF[type];
  const name = tensor.name ?? '(unnamed)';
  if (!Ctor) throw new TierwiseError('ELEMENT_TYPE_UNSUPPORTED', `tensor ${name} has element type ${type}, not numeric`);
  if (isExternal(tensor)) {
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA',
      `tensor ${name} keeps its data in an external file: load the model with loadModelFromFile (its folder) first`,
    );
  }
  const count = elementCount(tensorDims(tensor));
  const bits = SUB_BYTE[type];
  const raw = tensor.rawData;
  if (raw && raw.byteLength > 0) {
    const expected = rawByteLength(type, count);
    if (raw.byteLength !== expected) {
      throw new TierwiseError(
        'MODEL_CORRUPT',
        `tensor ${name} holds ${raw.byteLength} bytes for ${count} ${type} values (expected ${expected})`,
      );
    }
    if (bits) return unpackSubByte(raw, count, bits, type === 'int4' || type === 'int2');
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    return new Ctor(copy.buffer);
  }
  const typed = typedFieldValues(tensor, type);
  if (bits) {
    // int32_data holds one packed byte per entry for sub-byte types.
    const bytes = Uint8Array.from(typed, (v) => toNumber(v) & 0xff);
    if (bytes.length !== rawByteLength(type, count)) {
      throw new TierwiseError('MODEL_CORRUPT', `tensor ${name} holds ${bytes.length} packed bytes for ${count} ${type} values`);
    }
    return unpackSubByte(bytes, count, bits, type === 'int4' || type === 'int2');
  }
  const length = count * valuesPerElement(type);
  if (typed.length !== length) {
    throw new TierwiseError('MODEL_CORRUPT', `tensor ${name} holds ${typed.length} values for shape [${tensorDims(tensor)}]`);
  }
  const out = new Ctor(new ArrayBuffer(length * Ctor.BYTES_PER_ELEMENT));
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    typed.forEach((v, i) => {
      out[i] = BigInt(typeof v === 'number' ? v : v.toString());
    });
  } else {
    // Typed-array assignment wraps: int32_data's int32 bit patterns land as the uint16/uint8 patterns of (b)float16/float8.
    typed.forEach((v, i) => {
      out[i] = toNumber(v);
    });
  }
  return out;
}

type FieldValue = number | { toNumber(): number; toString(): string };
function typedFieldValues(tensor: onnx.ITensorProto, type: ElementType): FieldValue[] {
  switch (type) {
    case 'float32':
    case 'complex64':
      return tensor.floatData ?? [];
    case 'float64':
    case 'complex128':
      return tensor.doubleData ?? [];
    case 'int64':
      return (tensor.int64Data ?? []) as FieldValue[];
    case 'uint32':
    case 'uint64':
      return (tensor.uint64Data ?? []) as FieldValue[];
    default:
      return tensor.int32Data ?? [];
  }
}

function unpackSubByte(bytes: Uint8Array, count: number, bits: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signBit = 1 << (bits - 1);
  for (let i = 0; i < count; i++) {
    const v = (bytes[Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
    out[i] = signed && v & signBit ? v - (1 << bits) : v;
  }
  return out;
}

function packSubByte(values: ArrayLike<number>, bits: number): Uint8Array {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) out[Math.floor(i / perByte)] |= (values[i] & mask) << ((i % perByte) * bits);
  return out;
}

/** Range of each sub-byte integer type; packing refuses values outside it rather than wrapping them. */
const SUB_BYTE_RANGE: Partial<Record<ElementType, [number, number]>> = {
  int4: [-8, 7],
  uint4: [0, 15],
  int2: [-2, 1],
  uint2: [0, 3],
  float4e2m1: [0, 15],
};

// ---------------------------------------------------------------------------------------------------------------
// Bit-level conversions (scalar). float16 = IEEE binary16; bfloat16 = the upper half of a float32.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** IEEE half-precision bits → number (subnormals, ±0, ±Infinity and NaN included). */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** number → IEEE half-precision bits, rounding to nearest even (overflow → ±Infinity, NaN stays a quiet NaN). */
export function float32ToFloat16(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is the right result (up to Infinity)
  return sign | half;
}

/** bfloat16 bits → number (exact: bfloat16 is float32 with the low 16 mantissa bits dropped). */
export function bfloat16ToFloat32(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}

/** number → bfloat16 bits, rounding to nearest even; NaN stays a quiet NaN. */
export function float32ToBfloat16(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

interface Float8Format {
  exponentBits: number;
  mantissaBits: number;
  bias: number;
  nan: 'all-ones' | 'negative-zero' | 'ieee';
}
const FLOAT8_FORMATS: Record<Exclude<Float8Type, 'float8e8m0'>, Float8Format> = {
  float8e4m3fn: { exponentBits: 4, mantissaBits: 3, bias: 7, nan: 'all-ones' },
  float8e4m3fnuz: { exponentBits: 4, mantissaBits: 3, bias: 8, nan: 'negative-zero' },
  float8e5m2: { exponentBits: 5, mantissaBits: 2, bias: 15, nan: 'ieee' },
  float8e5m2fnuz: { exponentBits: 5, mantissaBits: 2, bias: 16, nan: 'negative-zero' },
};

/**
 * float8 bits → number. E4M3FN: no infinities, S.1111.111 is NaN (max 448). E4M3FNUZ / E5M2FNUZ: 0x80 is the only
 * NaN, no -0, no infinities. E5M2: IEEE-like (exponent 31: infinity or NaN). E8M0: 2^(bits-127), 0xFF is NaN.
 */
export function float8ToFloat32(bits: number, type: Float8Type): number {
  bits &= 0xff;
  if (type === 'float8e8m0') return bits === 0xff ? NaN : 2 ** (bits - 127);
  const f = FLOAT8_FORMATS[type];
  if (f.nan === 'negative-zero' && bits === 0x80) return NaN;
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >> f.mantissaBits) & ((1 << f.exponentBits) - 1);
  const mantissa = bits & ((1 << f.mantissaBits) - 1);
  const maxExponent = (1 << f.exponentBits) - 1;
  if (f.nan === 'all-ones' && exponent === maxExponent && mantissa === (1 << f.mantissaBits) - 1) return NaN;
  if (f.nan === 'ieee' && exponent === maxExponent) return mantissa ? NaN : sign * Infinity;
  const scale = 2 ** f.mantissaBits;
  if (exponent === 0) return sign * (mantissa / scale) * 2 ** (1 - f.bias);
  return sign * (1 + mantissa / scale) * 2 ** (exponent - f.bias);
}

const float8Tables = new Map<Float8Type, Float64Array>();
/** Decoded values of the positive codes 0..0x7f (finite ones ascending; the table is monotonic in the code). */
function positiveFloat8Values(type: Float8Type): Float64Array {
  let table = float8Tables.get(type);
  if (!table) {
    table = Float64Array.from({ length: 128 }, (_, code) => float8ToFloat32(code, type));
    float8Tables.set(type, table);
  }
  return table;
}

/**
 * number → float8 bits, rounding to nearest even. With `saturate` (ONNX Cast's default) values beyond the largest
 * finite value become it; without, they become Infinity (E5M2) or NaN (the formats without infinities).
 * float8e8m0 is not encoded here (it has no sign or zero: a scale format, not a value format).
 */
export function float32ToFloat8(value: number, type: Exclude<Float8Type, 'float8e8m0'>, saturate = true): number {
  const f = FLOAT8_FORMATS[type];
  const nanCode = f.nan === 'negative-zero' ? 0x80 : 0x7f;
  if (Number.isNaN(value)) return nanCode;
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const table = positiveFloat8Values(type);
  let maxCode = 0x7f;
  while (!Number.isFinite(table[maxCode])) maxCode--;
  const signBit = negative ? 0x80 : 0;
  let code: number;
  if (magnitude > table[maxCode]) {
    // ONNX Cast's tables: saturating, Inf becomes ±max except in the FNUZ formats (NaN); without saturation anything
    // that rounds beyond max (from halfway past it) becomes Inf (E5M2) or NaN.
    if (saturate && magnitude === Infinity && f.nan === 'negative-zero') return nanCode;
    const step = table[maxCode] - table[maxCode - 1];
    const overflow = !saturate && magnitude >= table[maxCode] + step / 2;
    if (!overflow) code = maxCode;
    else return f.nan === 'ieee' ? signBit | 0x7c : f.nan === 'all-ones' ? signBit | 0x7f : nanCode;
  } else {
    let lo = 0;
    let hi = maxCode;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (table[mid] <= magnitude) lo = mid;
      else hi = mid;
    }
    if (table[lo] === magnitude) code = lo;
    else {
      const below = magnitude - table[lo];
      const above = table[hi] - magnitude;
      code = below < above ? lo : above < below ? hi : lo & 1 ? hi : lo;
    }
  }
  if (code === 0 && f.nan === 'negative-zero') return 0; // FNUZ formats have no -0 (0x80 is NaN)
  return signBit | code;
}

const FLOAT4_VALUES = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
/** float4e2m1 4-bit code → number: magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6, bit 3 the sign; no inf or NaN. */
export function float4e2m1ToFloat32(code: number): number {
  const magnitude = FLOAT4_VALUES[code & 0x7];
  return code & 0x8 ? -magnitude : magnitude;
}

/**
 * A numeric tensor's values as float32: (b)float16, float8 and float4 decoded, integers converted (int64 beyond
 * 2^24 loses precision, as any float32 would). Complex tensors and strings are refused.
 */
export function tensorToFloat32(tensor: onnx.ITensorProto): Float32Array {
  const type = elementTypeFromOnnx(tensor.dataType);
  if (type === 'complex64' || type === 'complex128') {
    throw new TierwiseError('ELEMENT_TYPE_UNSUPPORTED', `tensor ${tensor.name ?? '(unnamed)'} is ${type}: no float32 view`);
  }
  return decodeToFloat32(tensorToArray(tensor), type);
}

/** Decodes values as `tensorToArray` returns them for `type` into float32. */
export function decodeToFloat32(values: NumericArray, type: ElementType): Float32Array {
  const out = new Float32Array(values.length);
  if (type === 'float16') for (let i = 0; i < values.length; i++) out[i] = float16ToFloat32(values[i] as number);
  else if (type === 'bfloat16') for (let i = 0; i < values.length; i++) out[i] = bfloat16ToFloat32(values[i] as number);
  else if (FLOAT8.has(type)) for (let i = 0; i < values.length; i++) out[i] = float8ToFloat32(values[i] as number, type as Float8Type);
  else if (type === 'float4e2m1') for (let i = 0; i < values.length; i++) out[i] = float4e2m1ToFloat32(values[i] as number);
  else for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return out;
}

/** Encodes float32 values for a floating type: the bit patterns `makeTensor` expects for it. */
export function encodeFromFloat32(
  values: ArrayLike<number>,
  type: 'float32' | 'float64' | 'float16' | 'bfloat16' | Exclude<Float8Type, 'float8e8m0'>,
): NumericArray {
  switch (type) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'float16':
      return Uint16Array.from(values, float32ToFloat16);
    case 'bfloat16':
      return Uint16Array.from(values, float32ToBfloat16);
    default:
      return Uint8Array.from(values, (v) => float32ToFloat8(v, type));
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

/**
 * Builds an initializer-ready TensorProto from a typed array, stored as raw_data (little-endian, as ONNX requires).
 * `data` is in the form `tensorToArray` returns for `type`: (b)float16/float8 as bit patterns, int4/uint4/int2/uint2
 * and float4e2m1 one value per element (packed here, first element in the low bits).
 */
export function makeTensor(
  name: string,
  dims: readonly number[],
  data: NumericArray,
  type: ElementType = elementTypeOfArray(data),
): onnx.TensorProto {
  const count = elementCount(dims);
  if (count * valuesPerElement(type) !== data.length) {
    throw new TierwiseError('TENSOR_SHAPE_MISMATCH', `tensor ${name}: ${data.length} values for shape [${dims}] of ${type}`);
  }
  const bits = SUB_BYTE[type];
  let rawData: Uint8Array;
  if (bits) {
    const [lo, hi] = SUB_BYTE_RANGE[type]!;
    const values = Array.from(data as ArrayLike<number>, Number);
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < lo || v > hi);
    if (bad >= 0)
      throw new TierwiseError('TENSOR_VALUE_RANGE', `tensor ${name}: value ${values[bad]} at ${bad} is outside ${type} [${lo}, ${hi}]`);
    rawData = packSubByte(values, bits);
  } else {
    if (data.byteLength !== rawByteLength(type, count)) {
      throw new TierwiseError(
        'TENSOR_SHAPE_MISMATCH',
        `tensor ${name}: ${data.constructor.name} holds ${data.byteLength} bytes, ${type} needs ${rawByteLength(type, count)} (pass bit patterns: encodeFromFloat32)`,
      );
    }
    rawData = new Uint8Array(data.byteLength);
    rawData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: onnxTypeFromElement(type), rawData });
}
