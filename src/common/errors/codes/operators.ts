import { errorCodes } from '../entry';

/** The operators (quantization, partition, early exit, prune), their chains and verification. */
export const OPERATOR_ERRORS = errorCodes({
  CHAIN_INVALID: { status: 400, meaning: 'an operator chain is empty or malformed' },
  CHAIN_OPERATOR_UNKNOWN: { status: 400, meaning: 'a chain step names an operator the registry does not know' },
  CHAIN_PARAMS_INVALID: { status: 400, meaning: 'a chain step has parameters its operator does not take' },
  CHAIN_INPUT_INVALID: { status: 400, meaning: 'a chain input sha256 is not 64 lowercase hex digits' },
  CHAIN_CONTEXT_MISSING: { status: 400, meaning: 'an operator needs context (calibration samples) the chain did not give' },
  NOT_QUANTIZABLE: { status: 400, meaning: 'the model has nothing to quantize, or is already quantized' },
  CALIBRATION_EMPTY: { status: 400, meaning: 'a calibrating operator was given no samples' },
  CALIBRATION_INPUT_MISMATCH: { status: 400, meaning: 'calibration samples do not feed the model inputs' },
  INT8_NOT_FASTER: {
    status: 422,
    meaning:
      'no static int8 placement (fully quantized or with slow groups kept in fp32) runs faster than the float model at the target thread count',
  },
  SPTQ_TOLERANCE_UNMET: { status: 422, meaning: 'no static int8 configuration stays within the allowed accuracy drop' },
  INPUT_INVALID: { status: 400, meaning: 'verification inputs name tensors the model does not have' },
  INPUT_UNSUPPORTED: { status: 422, meaning: 'the model has inputs Tierwise cannot synthesise (strings, unknown types)' },
  MODEL_RUN_FAILED: { status: 422, meaning: 'the original model fails on the verification inputs' },
  ENGINE_OUTPUT_INVALID: { status: 422, meaning: 'an operator wrote a model onnxruntime cannot load or run' },
  ENGINE_OUTPUT_DISAGREES: { status: 422, meaning: 'an operator wrote a model whose outputs drift past the tolerance' },
  PARTITION_OPTIONS_INVALID: { status: 400, meaning: 'partition search options are out of range' },
  PARTITION_CUT_EMPTY: { status: 400, meaning: 'a partition cut names no tensor' },
  PARTITION_NOT_A_CUT: { status: 400, meaning: 'the named tensors do not separate the inputs from the outputs' },
  PARTITION_TENSOR_UNKNOWN: { status: 400, meaning: 'a partition cut names a tensor the model does not have' },
  PARTITION_NO_FIT: {
    status: 422,
    meaning:
      "no cut the search tried runs within its tiers' memory (each head or tail ran out of memory there), or neither tier holds the whole model to profile it",
  },
  PARTITION_NO_CUTS: { status: 422, meaning: 'the model has no tensor that separates its inputs from its outputs' },
  PARTITION_ROUTE_INVALID: { status: 400, meaning: 'there is no link path between the two tiers of a partition' },
  PARTITION_SHAPE_UNKNOWN: { status: 500, meaning: 'no shape was observed for a cut tensor (a probe bug)' },
  SHAPE_INVALID: { status: 400, meaning: 'a shape override is malformed or names no input of the model' },
  EARLY_EXIT_NO_BLOCKS: { status: 422, meaning: 'the model has no residual block that can be bypassed' },
  EARLY_EXIT_BLOCK_UNKNOWN: { status: 400, meaning: 'an early exit names a block the model does not have' },
  EARLY_EXIT_BLOCK_NOT_BYPASSABLE: { status: 400, meaning: 'an early exit names a block whose shortcut changes the shape' },
  EARLY_EXIT_OPTIONS_INVALID: { status: 400, meaning: 'early-exit options are out of range' },
  PRUNE_NO_WEIGHTS: { status: 422, meaning: 'the model has no float Conv/MatMul/Gemm weight to prune' },
  PRUNE_SPARSITY_INVALID: { status: 400, meaning: 'sparsity is not a number in [0, 1)' },
  PRUNE_SCOPE_INVALID: { status: 400, meaning: 'prune scope is neither global nor per-layer' },
});
