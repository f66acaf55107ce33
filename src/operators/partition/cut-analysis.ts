import { TierwiseError } from '../../common/errors';
import { forEachGraph } from '../../onnx';
import { backwardSlice, graphInputsRead, type GraphIndex } from './graph-index';

export interface CutShape {
  tensors: string[];
  /** Dynamic nodes the head runs (constant-only chains are copied to whichever side needs them). */
  headNodes: Set<number>;
  tailNodes: Set<number>;
  /** Graph inputs the tail still reads: they travel with the cut tensors. */
  forwardedInputs: string[];
}

export type CutVerdict = { ok: true; cut: CutShape } | { ok: false; reason: string };

/**
 * Whether `tensors` split the graph into a head (graph inputs → tensors) and a tail (tensors + graph inputs →
 * outputs) that share no computation. In QDQ graphs the output of a QuantizeLinear is a cut like any other, and the
 * best one: the tensor is 1 byte per value and both halves keep their DQ→op→Q patterns, so onnxruntime still fuses
 * them and tail(head(x)) is bit-exact at every optimization level. A float cut inside a QDQ region is exact with
 * optimizations off but may differ by one output quantization step at 'all' (the op next to the cut runs unfused).
 */
export function analyzeCut(index: GraphIndex, tensors: readonly string[]): CutVerdict {
  for (const name of tensors) {
    if (index.graphInputs.has(name)) return { ok: false, reason: `${name} is a graph input (the head would be empty)` };
    if (index.graphOutputs.includes(name)) return { ok: false, reason: `${name} is a graph output (the tail would be empty)` };
    const at = index.producer.get(name);
    if (at === undefined) return { ok: false, reason: `${name} is not produced by a top-level node` };
    if (!index.dynamic[at]) return { ok: false, reason: `${name} is computed from constants only, not from the inputs` };
  }
  const stop = new Set([...tensors, ...index.graphInputs]);
  const tailNodes = dynamicOnly(index, backwardSlice(index, index.graphOutputs, stop));
  const unused = tensors.filter((t) => !(index.consumers.get(t) ?? []).some((c) => tailNodes.has(c)));
  if (unused.length > 0) return { ok: false, reason: `nothing after the cut reads ${unused.join(', ')}` };
  const headNodes = dynamicOnly(index, backwardSlice(index, tensors, index.graphInputs));
  for (const i of tailNodes) {
    if (headNodes.has(i)) {
      return {
        ok: false,
        reason: `the rest of the graph still needs ${(index.nodes[i].output ?? []).join(', ')} from before the cut (node ${index.nodes[i].name || index.nodes[i].opType})`,
      };
    }
  }
  const forwardedInputs = graphInputsRead(index, tailNodes);
  const headInputs = graphInputsRead(index, headNodes);
  if (headInputs.every((name) => forwardedInputs.includes(name))) {
    return { ok: false, reason: `the rest of the graph still reads ${headInputs.join(', ')} itself, so nothing is separated` };
  }
  return { ok: true, cut: { tensors: [...tensors], headNodes, tailNodes, forwardedInputs } };
}

function dynamicOnly(index: GraphIndex, nodes: Set<number>): Set<number> {
  return new Set([...nodes].filter((i) => index.dynamic[i]));
}

/** analyzeCut for a user's request: unknown names and non-cuts become TierwiseErrors that name the tensor. */
export function requireCut(index: GraphIndex, tensors: readonly string[]): CutShape {
  if (tensors.length === 0) throw new TierwiseError('PARTITION_CUT_EMPTY', 'name at least one tensor to cut at');
  const known = knownTensorNames(index);
  const unknown = tensors.filter((t) => !known.has(t));
  if (unknown.length > 0)
    throw new TierwiseError(
      'PARTITION_TENSOR_UNKNOWN',
      `the model has no tensor named ${unknown.map((t) => JSON.stringify(t)).join(', ')}`,
      { tensors: unknown },
    );
  const verdict = analyzeCut(index, [...new Set(tensors)]);
  if (!verdict.ok) throw new TierwiseError('PARTITION_NOT_A_CUT', `${tensors.join(', ')} is not a cut: ${verdict.reason}`, { tensors });
  return verdict.cut;
}

function knownTensorNames(index: GraphIndex): Set<string> {
  const names = new Set<string>();
  forEachGraph(index.graph, (g) => {
    for (const n of g.node ?? []) for (const o of n.output ?? []) names.add(o);
    for (const v of g.input ?? []) names.add(v.name ?? '');
    for (const t of g.initializer ?? []) names.add(t.name ?? '');
  });
  return names;
}
