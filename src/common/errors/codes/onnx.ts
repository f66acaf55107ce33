import { errorCodes } from '../entry';

/** Reading, writing and converting ONNX graphs and tensors. */
export const ONNX_ERRORS = errorCodes({
  MODEL_CORRUPT: { status: 400, meaning: 'the bytes are not a well-formed ONNX model (truncated, bad tensor data)' },
  MODEL_TOO_LARGE: { status: 400, meaning: 'the model would encode past the 2 GiB protobuf limit' },
  ELEMENT_TYPE_UNSUPPORTED: { status: 400, meaning: 'a tensor element type Tierwise cannot read or write' },
  TENSOR_SHAPE_MISMATCH: { status: 400, meaning: 'a tensor holds a different number of values than its shape' },
  TENSOR_VALUE_RANGE: { status: 400, meaning: 'a tensor value is outside the range of its element type' },
  OPSET_UNCONVERTIBLE: { status: 422, meaning: 'the model cannot be converted to the opset an operator needs' },
});
