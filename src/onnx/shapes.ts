import type { InputTensor } from './io-spec';
import type { TensorSpec } from './io-spec';
import { cloneModel, saveModel, type ModelProto } from './model-io';
import { addOutput, realInputs, valueInfoToSpec } from './graph';
import { elementTypeFromOnnx, tensorDims } from './tensor';
import { openSession, toFeeds } from './runtime';
import { resolveInputs, synthesize, type InputSpec } from './input-spec';

/** Element types and shapes declared in the graph: inputs, outputs, value_info and initializers. */
export function declaredSpecs(model: ModelProto): Map<string, TensorSpec> {
  const graph = model.graph!;
  const specs = new Map<string, TensorSpec>();
  for (const info of [...(graph.valueInfo ?? []), ...(graph.input ?? []), ...(graph.output ?? [])]) {
    const spec = valueInfoToSpec(info);
    if (spec.elemType !== 'unknown') specs.set(spec.name, spec);
  }
  for (const t of graph.initializer ?? [])
    specs.set(t.name ?? '', { name: t.name ?? '', elemType: elementTypeFromOnnx(t.dataType), shape: tensorDims(t) });
  return specs;
}

/**
 * Inputs for the model under an input spec, through the one resolver (input-spec.ts): a symbolic dim the spec does
 * not give is INPUT_SPEC_REQUIRED, except a leading batch-named one, which is 1 (the resolver's one assumption).
 */
export function syntheticInputs(model: ModelProto, spec: InputSpec = {}): Record<string, InputTensor> {
  return synthesize(resolveInputs(realInputs(model.graph!).map(valueInfoToSpec), spec)) as Record<string, InputTensor>;
}

/**
 * Completes `declaredSpecs` by running the model once with every top-level intermediate exposed as an output:
 * the observed type and dims of each tensor (dims are those of this run, so the batch dim is the feed's).
 */
export async function observedSpecs(
  model: ModelProto,
  feeds: Record<string, InputTensor> = syntheticInputs(model),
): Promise<Map<string, TensorSpec>> {
  const specs = declaredSpecs(model);
  const probe = cloneModel(model);
  const graph = probe.graph!;
  const already = new Set((graph.output ?? []).map((o) => o.name));
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out && !already.has(out)) addOutput(graph, out);
  const session = await openSession(saveModel(probe), { optimization: 'disabled', threads: 1 });
  try {
    const results = await session.run(toFeeds(feeds));
    for (const [name, tensor] of Object.entries(results)) {
      const declared = specs.get(name);
      specs.set(name, { name, elemType: tensor.type as TensorSpec['elemType'], shape: declared?.shape ?? [...tensor.dims] });
    }
  } finally {
    await session.release();
  }
  return specs;
}
