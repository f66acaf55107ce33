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
import { quantizeWeight } from './quant-math';
import type { QuantizedModel } from './static-int8';

export interface DynamicConfig {
  perChannel?: boolean;
  exclude?: string[];
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
 * Dynamic int8: MatMul/Gemm weights quantized offline (int8 symmetric, per output column), activations quantized
 * at run time. Written as DynamicQuantizeLinear → MatMulInteger → Cast → Mul(scales), the pattern onnxruntime
 * fuses into DynamicQuantizeMatMul; a Gemm's bias becomes an Add after it.
 */
export function quantizeDynamic(modelBytes: Uint8Array, config: DynamicConfig = {}): QuantizedModel {
  const model = loadModel(modelBytes);
  if ((opsetVersion(model) ?? 0) < 11) throw new TierwiseError('NOT_QUANTIZABLE', 'DynamicQuantizeLinear needs opset 11 or later');
  const exclude = new Set(config.exclude ?? []);
  // Subgraphs (If branches, Loop bodies) are rewritten in place, reading weights from their own or enclosing scopes.
  const scopes = scopedGraphs(model.graph!);
  const planned = scopes.map((scope) => ({
    scope,
    targets: findWeightedNodes(scope.graph, exclude, scope.outer).filter(
      (w) => w.node.opType !== 'Conv' && (w.node.opType === 'MatMul' || gemmIsPlain(w.node)),
    ),
  }));
  const quantizedNodes = planned.flatMap((p) => p.targets.map((t) => t.name));
  if (quantizedNodes.length === 0) {
    throw new TierwiseError(
      'NOT_QUANTIZABLE',
      `the model has no MatMul or Gemm with a constant float weight for dynamic quantization${convNote(model.graph!)}`,
    );
  }
  const fresh = uniqueNamer(model.graph!);
  for (const { scope, targets } of planned) if (targets.length > 0) rewriteGraph(scope, targets, fresh, config);
  // Innermost first: an outer weight is dropped only once no subgraph reads it any more.
  for (const { graph } of [...scopes].reverse()) {
    pruneUnused(graph);
    graph.node = topologicalOrder(graph);
  }
  return { bytes: saveModel(model), quantizedNodes };
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
    const { data, dims } = matMulWeight(scope, w);
    const q = quantizeWeight(data, dims, config.perChannel === false ? undefined : 1);
    const perColumn = q.scales.length > 1;
    const base = `${w.weight}_${w.name}`.replace(/\//g, '_');
    const wq = fresh(`${base}_quantized`);
    const wScale = fresh(`${base}_scale`);
    const wZero = fresh(`${base}_zero_point`);
    setInitializer(graph, makeTensor(wq, dims, q.data));
    setInitializer(graph, makeTensor(wScale, perColumn ? [q.scales.length] : [], perColumn ? q.scales : q.scales.subarray(0, 1)));
    setInitializer(graph, makeTensor(wZero, perColumn ? [q.scales.length] : [], new Int8Array(q.scales.length)));
    const output = (w.node.output ?? [])[0];
    const bias = w.node.opType === 'Gemm' ? (w.node.input ?? [])[2] : undefined;
    const product = bias ? fresh(`${output}_without_bias`) : output;
    const integer = fresh(`${output}_MatMulInteger_Output`);
    const asFloat = fresh(`${output}_Cast_Output`);
    const scale = fresh(`${output}_scale`);
    const label = w.name.replace(/\//g, '_');
    addNode(graph, { opType: 'MatMulInteger', name: fresh(`${label}_MatMulInteger`), input: [xq, wq, xZero, wZero], output: [integer] });
    addNode(graph, {
      opType: 'Cast',
      name: fresh(`${label}_Cast`),
      input: [integer],
      output: [asFloat],
      attribute: [{ name: 'to', type: ATTR.INT, i: onnx.TensorProto.DataType.FLOAT }],
    });
    addNode(graph, { opType: 'Mul', name: fresh(`${label}_scales_Mul`), input: [xScale, wScale], output: [scale] });
    addNode(graph, { opType: 'Mul', name: fresh(`${label}_output_Mul`), input: [asFloat, scale], output: [product] });
    if (bias) addNode(graph, { opType: 'Add', name: fresh(`${label}_bias_Add`), input: [product, bias], output: [output] });
    doomed.add(w.node);
  }
  graph.node = (graph.node ?? []).filter((n) => !doomed.has(n));
}

/** Why a model with only Conv weights (subgraphs included) has nothing for dynamic int8 here. */
function convNote(graph: GraphProto): string {
  const convs = scopedGraphs(graph).reduce((n, s) => n + (s.graph.node ?? []).filter((x) => x.opType === 'Conv').length, 0);
  return convs > 0 ? ` (its ${convs} Conv nodes, subgraphs included, are left to static int8: dynamic int8 rewrites MatMul and Gemm)` : '';
}

/** A Gemm that is exactly x·W + C (scaled Gemms stay fp32 rather than grow extra Muls). */
function gemmIsPlain(node: NodeProto): boolean {
  const attr = (name: string): onnx.IAttributeProto | undefined => (node.attribute ?? []).find((a) => a.name === name);
  return (attr('alpha')?.f ?? 1) === 1 && (attr('beta')?.f ?? 1) === 1;
}
