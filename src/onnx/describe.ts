import type { TensorSpec } from './io-spec';
import { loadModel, opsetVersion, toNumber } from './model-io';
import { constantNodeTensor, forEachGraph, realInputs, valueInfoToSpec } from './graph';
import { elementCount, elementTypeFromOnnx, isExternal, tensorDims } from './tensor';

export interface ModelDescription {
  irVersion: number;
  /** Opset of the default ONNX domain (0 when not imported). */
  opset: number;
  producer: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Values in numeric initializers and Constant-node tensors, subgraphs included. */
  paramCount: number;
  /** Node count by op type, subgraphs included; ops outside the default domain are prefixed `domain::`. */
  opHistogram: Record<string, number>;
  externalData: boolean;
  hasSubgraphs: boolean;
}

const NUMERIC = new Set([
  'float32',
  'float16',
  'float64',
  'bfloat16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'float8e8m0',
  'float4e2m1',
  'int4',
  'uint4',
  'int2',
  'uint2',
  'complex64',
  'complex128',
]);

/** What the registry records about an uploaded model. Throws MODEL_CORRUPT on anything that is not an ONNX model. */
export function describeModel(bytes: Uint8Array): ModelDescription {
  const model = loadModel(bytes);
  const graph = model.graph!;
  let paramCount = 0;
  let externalData = false;
  let hasSubgraphs = false;
  const opHistogram: Record<string, number> = {};
  forEachGraph(graph, (g, depth) => {
    if (depth > 0) hasSubgraphs = true;
    const tensors = [...(g.initializer ?? [])];
    for (const node of g.node ?? []) {
      const domain = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::` : '';
      const key = `${domain}${node.opType ?? ''}`;
      opHistogram[key] = (opHistogram[key] ?? 0) + 1;
      if (node.opType === 'Constant' && !domain) {
        const t = constantNodeTensor(node);
        if (t) tensors.push(t);
      }
      for (const attr of node.attribute ?? []) {
        if (attr.t && isExternal(attr.t)) externalData = true;
        for (const t of attr.tensors ?? []) if (isExternal(t)) externalData = true;
      }
    }
    for (const t of tensors) {
      if (isExternal(t)) externalData = true;
      if (NUMERIC.has(elementTypeFromOnnx(t.dataType))) paramCount += elementCount(tensorDims(t));
    }
    for (const sparse of g.sparseInitializer ?? []) if (sparse.values && isExternal(sparse.values)) externalData = true;
  });
  return {
    irVersion: toNumber(model.irVersion),
    opset: opsetVersion(model, '') ?? 0,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs: realInputs(graph).map(valueInfoToSpec),
    outputs: (graph.output ?? []).map(valueInfoToSpec),
    paramCount,
    opHistogram,
    externalData,
    hasSubgraphs,
  };
}
