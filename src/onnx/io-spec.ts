/** Element types by their ONNX names, lower-case as onnxruntime-node spells tensor types. */
export type ElementType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'bfloat16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string'
  | 'unknown'
  // Newer ONNX types (IR 9+): onnxruntime-node names int4/uint4 alike; the float8/float4 names are ONNX's, lower-cased.
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'float8e8m0'
  | 'float4e2m1'
  | 'int4'
  | 'uint4'
  | 'int2'
  | 'uint2'
  | 'complex64'
  | 'complex128';

/** A dimension is a number when fixed, a string when symbolic ("N", "batch"), null when unknown. */
export type Dim = number | string | null;

/** One graph input or output as the registry records it. */
export interface TensorSpec {
  name: string;
  elemType: ElementType;
  shape: Dim[] | null;
}

/** A tensor as plain data, the form that crosses process boundaries and feeds onnxruntime. */
export interface InputTensor {
  type: ElementType;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Float64Array | Uint16Array;
}
