import { loadModel } from '../../onnx';
import { prepareForQuantization, quantizeDynamic } from '../quantization';
import { engineSampleInputs } from '../sample-inputs';
import { TOLERANCES } from '../verify';
import { stringList, type Operator } from './operator';

/**
 * Dynamic int8 (DynamicQuantizeLinear + MatMulInteger) of the MatMul/Gemm weights; an fp16 graph is converted to
 * fp32 and an opset below 11 upgraded first, each conversion checked against the original. Params: `perChannel`,
 * `exclude` (node names kept in float).
 */
export const dynamicInt8: Operator = {
  name: 'dynamic-int8',
  needs: () => ['feeds'],
  tolerance: TOLERANCES.int8,
  async apply(bytes, params, ctx) {
    const prepared = await prepareForQuantization(
      bytes,
      11,
      () => ctx.feeds ?? engineSampleInputs(loadModel(bytes), ctx.inputSpec ?? {}, 2),
    );
    const model = quantizeDynamic(prepared.bytes, {
      perChannel: params.perChannel !== false,
      ...(params.exclude !== undefined ? { exclude: stringList(params.exclude, 'dynamic-int8 exclude') } : {}),
    });
    const preparation = Object.keys(prepared.preparation).length ? { preparation: prepared.preparation } : {};
    return { bytes: model.bytes, report: { nodesQuantized: model.quantizedNodes.length, weights: model.weights, ...preparation } };
  },
};
