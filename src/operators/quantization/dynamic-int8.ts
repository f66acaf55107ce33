import { loadModel, onnx, opsetVersion, saveModel, type GraphProto, type NodeProto } from '../../onnx/model-io';
import {
  addNode,
  findScopedWeight,
  pruneUnused,
  scopedGraphs,
  setInitializer,
  topologicalOrder,
  uniqueNamer,
  type ScopedGraph,
} from '../../onnx/graph';
import { makeTensor } from '../../onnx/tensor';
import { TierwiseError } from '../../common/errors';
import { findWeightedNodes, type WeightedNode } from './qdq-plan';
import { quantizeWeight, weightCodes } from './quant-math';
import type { WeightType } from './weight-type';
import { weightsFor, type QuantizedModel } from './static-int8';

export interface DynamicConfig {
  perChannel?: boolean;
  exclude?: string[];
  /** How weights are stored; default the host's (hostWeightType: uint8 on x86-64 without VNNI, else int8). */
  weightType?: WeightType;
}

const ATTR = onnx.AttributeProto.AttributeType;

/** [K,N] weight values: MatMul weights as stored, Gemm weights transposed when transB=1. */
function matMulWeight(scope: ScopedGraph, w: WeightedNode): { data: Float32Array; dims: [number, number] } {
  const weight = findScopedWeight(scope, w.weight)!;
  const data = weight.data as Float32Array;
  const [rows, cols] = weight.dims;
  if (w.channelAxis === 1) return { data, dims: [rows, cols] };
  const transposed = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) transposed[c * rows + r] = data[r * cols + c];
  return { data: transposed, dims: [cols, rows] };
}

/**
 * Dynamic int8: Conv/MatMul/Gemm weights quantized offline (int8 symmetric, per output channel), activations
 * quantized at run time. Written as DynamicQuantizeLinear → MatMulInteger → Cast → Mul(scales), the pattern
 * onnxruntime fuses into DynamicQuantizeMatMul (a Gemm's bias becomes an Add after it), and for Conv as
 * ConvInteger → Cast → Mul → Add. Nodes inside subgraphs (If branches, Loop bodies) are rewritten too.
 */
export function quantizeDynamic(modelBytes: Uint8Array, config: DynamicConfig = {}): QuantizedModel {
  const model = loadModel(modelBytes);
  if ((opsetVersion(model) ?? 0) < 11) throw new TierwiseError('NOT_QUANTIZABLE', 'DynamicQuantizeLinear needs opset 11 or later');
  const exclude = new Set(config.exclude ?? []);
  // Subgraphs (If branches, Loop bodies) are rewritten in place, reading weights from their own or enclosing scopes.
  const scopes = scopedGraphs(model.graph!);
  const plan = (withConv: boolean): Array<{ scope: ScopedGraph; targets: WeightedNode[] }> =>
    scopes.map((scope) => ({
      scope,
      targets: findWeightedNodes(scope.graph, exclude, scope.outer).filter((w) =>
        w.node.opType === 'Conv' ? withConv && convIsPlain(w) : w.node.opType === 'MatMul' || gemmIsPlain(w.node),
      ),
    }));
  // Convs are rewritten (ConvInteger) only in a model with no MatMul/Gemm weight (silero's VAD, a CNN-only graph):
  // elsewhere they stay fp32, as the matmuls are what dynamic int8 speeds up and the results measured so far hold.
  let planned = plan(false);
  if (planned.every((p) => p.targets.length === 0)) planned = plan(true);
  const quantizedNodes = planned.flatMap((p) => p.targets.map((t) => t.name));
  if (quantizedNodes.length === 0) {
    throw new TierwiseError(
      'NOT_QUANTIZABLE',
      `the model has no Conv, MatMul or Gemm with a constant float weight for dynamic quantization${convNote(model.graph!)}`,
    );
  }
  const fresh = uniqueNamer(model.graph!);
  const weights = weightsFor(config.weightType);
  const resolved = { ...config, weightType: weights.type };
  for (const { scope, targets } of planned) if (targets.length > 0) rewriteGraph(scope, targets, fresh, resolved);
  // Innermost first: an outer weight is dropped only once no subgraph reads it any more.
  for (const { graph } of [...scopes].reverse()) {
    pruneUnused(graph);
    graph.node = topologicalOrder(graph);
  }
  return { bytes: saveModel(model), quantizedNodes, weights };
}

function rewriteGraph(scope: ScopedGraph, targets: WeightedNode[], fresh: (base: string) => string, config: DynamicConfig): void {
  const graph = scope.graph;
  const dynamicOf = new Map<string, [string, string, string]>();
  const doomed = new Set<NodeProto>();
  for (const w of targets) {
    let quantizedInput = dynamicOf.get(w.activation);
    if (!quantizedInput) {
      quantizedInput = [fresh(`${w.activation}_quantized`), fresh(`${w.activation}_scale`), fresh(`${w.activation}_zero_point`)];
      addNode(graph, {
        opType: 'DynamicQuantizeLinear',
        name: fresh(`${w.activation}_DynamicQuantizeLinear`),
        input: [w.activation],
        output: quantizedInput,
      });
      dynamicOf.set(w.activation, quantizedInput);
    }
    const [xq, xScale, xZero] = quantizedInput;
    if (w.node.opType === 'Conv') {
      rewriteConv(scope, w, [xq, xScale, xZero], fresh, config);
      doomed.add(w.node);
      continue;
    }
    const { data, dims } = matMulWeight(scope, w);
    const q = quantizeWeight(data, dims, config.perChannel === false ? undefined : 1);
    const codes = weightCodes(q, config.weightType ?? 'int8');
    const perColumn = q.scales.length > 1;
    const base = `${w.weight}_${w.name}`.replace(/\//g, '_');
    const wq = fresh(`${base}_quantized`);
    const wScale = fresh(`${base}_scale`);
    const wZero = fresh(`${base}_zero_point`);
    setInitializer(graph, makeTensor(wq, dims, codes.data));
    setInitializer(graph, makeTensor(wScale, perColumn ? [q.scales.length] : [], perColumn ? q.scales : q.scales.subarray(0, 1)));
    setInitializer(graph, makeTensor(wZero, perColumn ? [q.scales.length] : [], codes.zeroPoints));
    const output = (w.node.output ?? [])[0];
    const bias = w.node.opType === 'Gemm' ? (w.node.input ?? [])[2] : undefined;
    const product = bias ? fresh(`${output}_without_bias`) : output;
    const integer = fresh(`${output}_MatMulInteger_Output`);
    const label = w.name.replace(/\//g, '_');
    addNode(graph, { opType: 'MatMulInteger', name: fresh(`${label}_MatMulInteger`), input: [xq, wq, xZero, wZero], output: [integer] });
    rescale(graph, fresh, label, output, integer, [xScale, wScale], product);
    if (bias) addNode(graph, { opType: 'Add', name: fresh(`${label}_bias_Add`), input: [product, bias], output: [output] });
    doomed.add(w.node);
  }
  graph.node = (graph.node ?? []).filter((n) => !doomed.has(n));
}

/**
 * Conv → ConvInteger(x_q, w_q int8, x_zero, 0) → Cast → Mul(x_scale · w_scale per output channel) → Add(bias), the
 * form onnxruntime's own dynamic quantizer writes for Conv; the scales and bias are shaped [C, 1, …] to broadcast.
 */
function rewriteConv(
  scope: ScopedGraph,
  w: WeightedNode,
  [xq, xScale, xZero]: [string, string, string],
  fresh: (base: string) => string,
  config: DynamicConfig,
): void {
  const graph = scope.graph;
  const weight = findScopedWeight(scope, w.weight)!;
  const q = quantizeWeight(weight.data as Float32Array, weight.dims, config.perChannel === false ? undefined : 0);
  const codes = weightCodes(q, config.weightType ?? 'int8');
  const broadcast = [q.scales.length, ...weight.dims.slice(2).map(() => 1)];
  const base = `${w.weight}_${w.name}`.replace(/\//g, '_');
  const label = w.name.replace(/\//g, '_');
  const wq = fresh(`${base}_quantized`);
  const wScale = fresh(`${base}_scale`);
  const wZero = fresh(`${base}_zero_point`);
  setInitializer(graph, makeTensor(wq, weight.dims, codes.data));
  setInitializer(graph, makeTensor(wScale, q.scales.length > 1 ? broadcast : [], q.scales.length > 1 ? q.scales : q.scales.subarray(0, 1)));
  setInitializer(graph, makeTensor(wZero, [], codes.zeroPoints.subarray(0, 1)));
  const output = (w.node.output ?? [])[0];
  const integer = fresh(`${output}_ConvInteger_Output`);
  const product = w.bias ? fresh(`${output}_without_bias`) : output;
  addNode(graph, {
    opType: 'ConvInteger',
    name: fresh(`${label}_ConvInteger`),
    input: [xq, wq, xZero, wZero],
    output: [integer],
    attribute: w.node.attribute ?? [],
  });
  rescale(graph, fresh, label, output, integer, [xScale, wScale], product);
  if (w.bias) {
    const bias = findScopedWeight(scope, w.bias)!;
    const shaped = fresh(`${w.bias}_${label}_broadcast`);
    setInitializer(graph, makeTensor(shaped, [bias.data.length, ...weight.dims.slice(2).map(() => 1)], bias.data as Float32Array));
    addNode(graph, { opType: 'Add', name: fresh(`${label}_bias_Add`), input: [product, shaped], output: [output] });
  }
}

/** A Conv whose bias, if any, is a float constant (a computed bias stays fp32). */
/** An int32 MatMulInteger/ConvInteger result back to float: Cast, times the product of the activation and weight scales. */
function rescale(
  graph: GraphProto,
  fresh: (base: string) => string,
  label: string,
  output: string,
  integer: string,
  [xScale, wScale]: [string, string],
  product: string,
): void {
  const asFloat = fresh(`${output}_Cast_Output`);
  const scale = fresh(`${output}_scale`);
  addNode(graph, {
    opType: 'Cast',
    name: fresh(`${label}_Cast`),
    input: [integer],
    output: [asFloat],
    attribute: [{ name: 'to', type: ATTR.INT, i: onnx.TensorProto.DataType.FLOAT }],
  });
  addNode(graph, { opType: 'Mul', name: fresh(`${label}_scales_Mul`), input: [xScale, wScale], output: [scale] });
  addNode(graph, { opType: 'Mul', name: fresh(`${label}_output_Mul`), input: [asFloat, scale], output: [product] });
}

function convIsPlain(w: WeightedNode): boolean {
  const bias = (w.node.input ?? [])[2];
  return !bias || w.bias === bias;
}

/** Why nothing was found: weights in subgraphs are searched too, so say so. */
function convNote(graph: GraphProto): string {
  return scopedGraphs(graph).length > 1 ? ' (subgraphs included)' : '';
}

/** A Gemm that is exactly x·W + C (scaled Gemms stay fp32 rather than grow extra Muls). */
function gemmIsPlain(node: NodeProto): boolean {
  const attr = (name: string): onnx.IAttributeProto | undefined => (node.attribute ?? []).find((a) => a.name === name);
  return (attr('alpha')?.f ?? 1) === 1 && (attr('beta')?.f ?? 1) === 1;
}
