/** Element types by their ONNX names, lower-case as onnxruntime-node spells tensor types. */
export type ElementType =
  | 'float32' | 'float16' | 'float64' | 'bfloat16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string' | 'unknown';

/** A dimension is a number when fixed, a string when symbolic ("N", "batch"), null when unknown. */
export type Dim = number | string | null;

/** One graph input or output as the registry records it. */
export interface TensorSpec {
  name: string;
  elemType: ElementType;
  shape: Dim[] | null;
}
