import { TierwiseError } from '../../common/errors';
import { onnx, onnxTypeFromElement, realInputs, type ModelProto } from '../../onnx';
import { requireCut, type CutShape } from './cut-analysis';
import { backwardSlice, graphInputsRead, indexGraph, type GraphIndex } from './graph-index';
import type { ProbedTensor, ShapeProbe } from './shape-probe';

/**
 * The sub-model computing `outputs` from `inputs` (like onnx.utils.extract_model): only the nodes on the way,
 * Constant nodes and initializers included as needed (subgraphs' outer-scope reads count), any original graph
 * input the slice still reads added as an input, opset imports and local functions kept, value_info filtered,
 * and new inputs/outputs declared with their element type and (symbolic) shape from `probe`.
 */
export function extractModel(
  model: ModelProto,
  inputs: readonly string[],
  outputs: readonly string[],
  probe: ShapeProbe,
  index: GraphIndex = indexGraph(model.graph!),
): ModelProto {
  const graph = model.graph!;
  for (const name of [...inputs, ...outputs]) {
    if (!index.producer.has(name) && !index.graphInputs.has(name))
      throw new TierwiseError('PARTITION_TENSOR_UNKNOWN', `the model has no top-level tensor named ${JSON.stringify(name)}`);
  }
  const stop = new Set([...inputs, ...index.graphInputs]);
  const slice = backwardSlice(index, outputs, stop);
  const forwarded = graphInputsRead(index, slice).filter((name) => !inputs.includes(name));
  const nodes = (graph.node ?? []).filter((_, i) => slice.has(i));
  const read = new Set<string>();
  for (const i of slice) for (const name of index.nodeInputs[i]) read.add(name);
  const produced = new Set(nodes.flatMap((n) => n.output ?? []));
  const originalInputs = new Map(realInputs(graph).map((v) => [v.name ?? '', v]));
  const originalOutputs = new Map((graph.output ?? []).map((v) => [v.name ?? '', v]));
  const boundary = new Set([...inputs, ...forwarded, ...outputs]);
  const sub: onnx.IGraphProto = {
    name: graph.name ?? 'graph',
    docString: graph.docString,
    node: nodes,
    input: [
      ...inputs.map((name) => originalInputs.get(name) ?? declared(name, probe)),
      ...forwarded.map((name) => originalInputs.get(name)!),
    ],
    output: outputs.map((name) => originalOutputs.get(name) ?? declared(name, probe)),
    initializer: (graph.initializer ?? []).filter((t) => read.has(t.name ?? '') && !produced.has(t.name ?? '')),
    sparseInitializer: (graph.sparseInitializer ?? []).filter((t) => read.has(t.values?.name ?? '')),
    valueInfo: (graph.valueInfo ?? []).filter((v) => produced.has(v.name ?? '') && !boundary.has(v.name ?? '')),
  };
  return onnx.ModelProto.create({
    irVersion: model.irVersion,
    opsetImport: model.opsetImport,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: model.docString,
    metadataProps: model.metadataProps,
    functions: model.functions,
    graph: sub,
  });
}

function declared(name: string, probe: ShapeProbe): onnx.IValueInfoProto {
  const seen: ProbedTensor | undefined = probe.get(name);
  if (!seen) throw new TierwiseError('PARTITION_SHAPE_UNKNOWN', `no shape was observed for tensor ${name}`);
  const dim = seen.symbolic.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name, type: { tensorType: { elemType: onnxTypeFromElement(seen.elemType), shape: { dim } } } };
}

export interface SplitModels {
  head: ModelProto;
  tail: ModelProto;
  cut: CutShape;
}

/** Head (graph inputs → cut tensors) and tail (cut tensors + forwarded graph inputs → outputs); throws for a non-cut. */
export function splitModel(model: ModelProto, tensors: readonly string[], probe: ShapeProbe): SplitModels {
  const index = indexGraph(model.graph!);
  const cut = requireCut(index, tensors);
  const headInputs = graphInputsRead(index, backwardSlice(index, cut.tensors, index.graphInputs));
  return {
    head: extractModel(model, headInputs, cut.tensors, probe, index),
    tail: extractModel(model, cut.tensors, index.graphOutputs, probe, index),
    cut,
  };
}
