import { onnx, type ModelProto, type NodeProto } from '../../onnx/model-io';
import { addNode, findWeight, pruneUnused, setInitializer, topologicalOrder, uniqueNamer } from '../../onnx/graph';
import { makeTensor } from '../../onnx/tensor';
import type { ActivationMatMul, QdqPlan } from './qdq-plan';
import { quantizeBias, quantizeWeight, quantParams, weightCodes, type QuantParams, type QuantType } from './quant-math';
import type { WeightType } from './weight-type';

export interface RewriteOptions {
  perChannel: boolean;
  activationType: QuantType;
  /** How weights are stored (int8, or uint8 where the host's u8×s8 kernels saturate: weight-type.ts). */
  weightType: WeightType;
}

const ATTR = onnx.AttributeProto.AttributeType;

/**
 * Turns `model` (edited in place) into a QDQ model: a Q/DQ pair on each planned activation with its calibrated
 * range, int8 symmetric weights (per-channel or per-tensor) and int32 biases behind DequantizeLinear.
 */
export function rewriteToQdq(model: ModelProto, plan: QdqPlan, ranges: Map<string, [number, number]>, options: RewriteOptions): void {
  const graph = model.graph!;
  const fresh = uniqueNamer(graph);
  const zeroPointOf = (type: QuantType, value: number): Int8Array | Uint8Array =>
    type === 'uint8' ? new Uint8Array([value]) : new Int8Array([value]);
  const activationParams = new Map<string, QuantParams>();
  const dequantizers = new Map<string, NodeProto>();
  for (const tensor of plan.activations) {
    const range = ranges.get(plan.sharedRange.get(tensor) ?? tensor) ?? ranges.get(tensor);
    if (!range) throw new Error(`no calibrated range for ${tensor}`);
    const params = quantParams(range[0], range[1], options.activationType);
    activationParams.set(tensor, params);
    const scale = fresh(`${tensor}_scale`);
    const zeroPoint = fresh(`${tensor}_zero_point`);
    setInitializer(graph, makeTensor(scale, [], new Float32Array([params.scale])));
    setInitializer(graph, makeTensor(zeroPoint, [], zeroPointOf(options.activationType, params.zeroPoint)));
    const quantized = fresh(`${tensor}_QuantizeLinear_Output`);
    const dequantized = fresh(`${tensor}_DequantizeLinear_Output`);
    addNode(graph, {
      opType: 'QuantizeLinear',
      name: fresh(`${tensor}_QuantizeLinear`),
      input: [tensor, scale, zeroPoint],
      output: [quantized],
    });
    dequantizers.set(
      tensor,
      addNode(graph, {
        opType: 'DequantizeLinear',
        name: fresh(`${tensor}_DequantizeLinear`),
        input: [quantized, scale, zeroPoint],
        output: [dequantized],
      }),
    );
    for (const reader of plan.readers.get(tensor) ?? []) reader.input = (reader.input ?? []).map((x) => (x === tensor ? dequantized : x));
  }
  const weightCache = new Map<string, { output: string; scales: Float32Array }>();
  for (const w of plan.weighted) {
    const axis = options.perChannel ? w.channelAxis : undefined;
    let entry = weightCache.get(w.weight);
    if (!entry) {
      const weight = findWeight(graph, w.weight)!;
      const q = quantizeWeight(weight.data as Float32Array, weight.dims, axis);
      const codes = weightCodes(q, options.weightType);
      const output = dequantizeConstant(model, fresh, w.weight, weight.dims, codes.data, q.scales, codes.zeroPoints, axis);
      entry = { output, scales: q.scales };
      weightCache.set(w.weight, entry);
    }
    setInput(w.node, 1, entry.output);
    if (w.bias) {
      const inputParams = activationParams.get(w.activation)!;
      const bias = findWeight(graph, w.bias)!;
      const q = quantizeBias(bias.data as Float32Array, inputParams.scale, entry.scales);
      // per-tensor: a scalar scale and no `axis` (DequantizeLinear before opset 13 has no axis attribute)
      setInput(
        w.node,
        2,
        dequantizeConstant(
          model,
          fresh,
          `${w.bias}_${w.name}`,
          bias.dims,
          q.data,
          q.scales,
          new Int32Array(q.scales.length),
          entry.scales.length > 1 ? 0 : undefined,
        ),
      );
    }
  }
  for (const m of plan.activationMatMuls) {
    if (m.scaledBy)
      foldScale(
        model,
        fresh,
        m,
        activationParams.get(m.inputs[0])!,
        dequantizers.get(m.inputs[0])!,
        plan.readers.get(m.inputs[0])!.size === 1 && m.inputs[0] !== m.inputs[1],
      );
  }
  pruneUnused(graph);
  graph.node = topologicalOrder(graph);
}

/**
 * Moves a scalar Div/Mul after an activation MatMul into the dequantization scale of its first input (exact: the
 * product is linear in that scale). The MatMul's own dequantization is rescaled when nothing else reads it.
 */
function foldScale(
  model: ModelProto,
  fresh: (base: string) => string,
  m: ActivationMatMul,
  params: QuantParams,
  dequantizer: NodeProto,
  soleReader: boolean,
): void {
  const graph = model.graph!;
  const { node: follower, factor } = m.scaledBy!;
  const input = m.inputs[0];
  const scale = fresh(`${input}_scaled_scale`);
  setInitializer(graph, makeTensor(scale, [], new Float32Array([params.scale * factor])));
  const [quantized, , zeroPoint] = dequantizer.input ?? [];
  if (soleReader) {
    dequantizer.input = [quantized, scale, zeroPoint];
  } else {
    const dequantized = fresh(`${input}_scaled_DequantizeLinear_Output`);
    addNode(graph, {
      opType: 'DequantizeLinear',
      name: fresh(`${input}_scaled_DequantizeLinear`),
      input: [quantized, scale, zeroPoint],
      output: [dequantized],
    });
    setInput(m.node, 0, dequantized);
  }
  m.node.output = [...(follower.output ?? [])];
  graph.node = (graph.node ?? []).filter((n) => n !== follower);
}

function setInput(node: NodeProto, index: number, name: string): void {
  const inputs = [...(node.input ?? [])];
  inputs[index] = name;
  node.input = inputs;
}

function dequantizeConstant(
  model: ModelProto,
  fresh: (base: string) => string,
  base: string,
  dims: number[],
  data: Int8Array | Uint8Array | Int32Array,
  scales: Float32Array,
  zeroPoints: Int8Array | Uint8Array | Int32Array,
  axis: number | undefined,
): string {
  const graph = model.graph!;
  const perAxis = axis !== undefined;
  const quantized = fresh(`${base}_quantized`);
  const scale = fresh(`${base}_scale`);
  const zeroPoint = fresh(`${base}_zero_point`);
  setInitializer(graph, makeTensor(quantized, dims, data));
  setInitializer(graph, makeTensor(scale, perAxis ? [scales.length] : [], perAxis ? scales : scales.subarray(0, 1)));
  setInitializer(graph, makeTensor(zeroPoint, perAxis ? [zeroPoints.length] : [], perAxis ? zeroPoints : zeroPoints.subarray(0, 1)));
  const output = fresh(`${base}_DequantizeLinear_Output`);
  addNode(graph, {
    opType: 'DequantizeLinear',
    name: fresh(`${base}_DequantizeLinear`),
    input: [quantized, scale, zeroPoint],
    output: [output],
    attribute: perAxis ? [{ name: 'axis', type: ATTR.INT, i: axis }] : [],
  });
  return output;
}
