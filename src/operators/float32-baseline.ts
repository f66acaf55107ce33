/**
 * fp16 → fp32: a float32 baseline of a float16 graph (fp16 weights and compute, as vendors ship to halve size).
 * fp16 initializers and Constant tensors become fp32, Casts to fp16 cast to fp32, value_info types follow; the
 * model's interface stays the same (an fp16 input gets a Cast to fp32 after it, an fp16 output a Cast back), so
 * it is checked against the original on the same inputs (`toFloat32Checked`).
 */
import type { InputTensor } from '../onnx/io-spec';
import {
  cloneModel,
  forEachGraph,
  loadModel,
  makeTensor,
  onnx,
  saveModel,
  tensorToArray,
  uniqueNamer,
  type GraphProto,
  type ModelProto,
} from '../onnx';
import { halfArrayToFloat } from '../onnx/float16';
import { TOLERANCES, verifyModel, type Verification } from './verify';

const DT = onnx.TensorProto.DataType;
const ATTR = onnx.AttributeProto.AttributeType;

function toFloatTensor(t: onnx.ITensorProto): onnx.TensorProto {
  const values = halfArrayToFloat(tensorToArray(t) as Uint16Array);
  const out = makeTensor(t.name ?? '', (t.dims ?? []).map(Number), values);
  return out;
}

/** Whether the graph holds float16 anywhere: initializers, Constant tensors, Casts, inputs or outputs. */
export function hasFloat16(model: ModelProto): boolean {
  let found = false;
  forEachGraph(model.graph!, (g) => {
    if ((g.initializer ?? []).some((t) => t.dataType === DT.FLOAT16)) found = true;
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? [])
        if (a.t?.dataType === DT.FLOAT16 || (n.opType === 'Cast' && a.name === 'to' && Number(a.i) === DT.FLOAT16)) found = true;
    }
    for (const v of [...(g.input ?? []), ...(g.output ?? [])]) if (v.type?.tensorType?.elemType === DT.FLOAT16) found = true;
  });
  return found;
}

export interface Float32Conversion {
  model: ModelProto;
  initializers: number;
  casts: number;
  constants: number;
}

export function convertToFloat32(source: ModelProto): Float32Conversion {
  const model = cloneModel(source);
  const top = model.graph!;
  const fresh = uniqueNamer(top);
  let initializers = 0;
  let casts = 0;
  let constants = 0;
  forEachGraph(top, (g) => {
    g.initializer = (g.initializer ?? []).map((t) => (t.dataType === DT.FLOAT16 ? (initializers++, toFloatTensor(t)) : t));
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        if (a.t?.dataType === DT.FLOAT16) {
          a.t = toFloatTensor(a.t);
          constants++;
        }
        if (n.opType === 'Cast' && a.name === 'to' && Number(a.i) === DT.FLOAT16) {
          a.i = DT.FLOAT;
          casts++;
        }
      }
    }
    if (g !== top) for (const v of [...(g.input ?? []), ...(g.output ?? [])]) retype(v);
    for (const v of g.valueInfo ?? []) retype(v);
  });
  casts += foldWeightCasts(top);
  keepInterface(top, fresh);
  return { model, initializers, casts, constants };
}

/** Cast(to fp32) of an (now fp32) initializer is a no-op: readers read the initializer, so engines see a constant weight. */
function foldWeightCasts(graph: GraphProto): number {
  const inits = new Set((graph.initializer ?? []).filter((t) => t.dataType === DT.FLOAT).map((t) => t.name ?? ''));
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const renamed = new Map<string, string>();
  graph.node = (graph.node ?? []).filter((n) => {
    const to = (n.attribute ?? []).find((a) => a.name === 'to');
    const [input] = n.input ?? [];
    const [output] = n.output ?? [];
    if (n.opType !== 'Cast' || Number(to?.i) !== DT.FLOAT || !inits.has(input) || outputs.has(output)) return true;
    renamed.set(output, input);
    return false;
  });
  forEachGraph(graph, (g) => {
    for (const n of g.node ?? []) n.input = (n.input ?? []).map((x) => renamed.get(x) ?? x);
  });
  return renamed.size;
}

function retype(v: onnx.IValueInfoProto): void {
  if (v.type?.tensorType?.elemType === DT.FLOAT16) v.type.tensorType.elemType = DT.FLOAT;
}

/** fp16 graph inputs feed a Cast to fp32; fp16 graph outputs come from a Cast back: the same interface as before. */
function keepInterface(graph: GraphProto, fresh: (base: string) => string): void {
  const added: onnx.INodeProto[] = [];
  for (const input of graph.input ?? []) {
    if (input.type?.tensorType?.elemType !== DT.FLOAT16) continue;
    const name = input.name ?? '';
    const inner = fresh(`${name}_fp32`);
    forEachGraph(graph, (g) => {
      for (const n of g.node ?? []) n.input = (n.input ?? []).map((x) => (x === name ? inner : x));
    });
    added.push({
      opType: 'Cast',
      name: fresh(`${name}_to_fp32`),
      input: [name],
      output: [inner],
      attribute: [{ name: 'to', type: ATTR.INT, i: DT.FLOAT }],
    });
  }
  const tail: onnx.INodeProto[] = [];
  for (const output of graph.output ?? []) {
    if (output.type?.tensorType?.elemType !== DT.FLOAT16) continue;
    const name = output.name ?? '';
    const inner = fresh(`${name}_fp32`);
    for (const n of graph.node ?? []) n.output = (n.output ?? []).map((x) => (x === name ? inner : x));
    forEachGraph(graph, (g) => {
      for (const n of g.node ?? []) n.input = (n.input ?? []).map((x) => (x === name ? inner : x));
    });
    tail.push({
      opType: 'Cast',
      name: fresh(`${name}_to_fp16`),
      input: [inner],
      output: [name],
      attribute: [{ name: 'to', type: ATTR.INT, i: DT.FLOAT16 }],
    });
  }
  graph.node = [...added.map((n) => onnx.NodeProto.create(n)), ...(graph.node ?? []), ...tail.map((n) => onnx.NodeProto.create(n))];
}

export interface Float32Baseline {
  bytes: Uint8Array;
  conversion?: { initializers: number; casts: number; constants: number; verification: Verification };
}

/** The fp32 form of an fp16 model, checked against the original on `feeds` (relative 1e-2: fp16 compute rounds). */
export async function toFloat32Checked(bytes: Uint8Array, feeds: () => Array<Record<string, InputTensor>>): Promise<Float32Baseline> {
  const model = loadModel(bytes);
  if (!hasFloat16(model)) return { bytes };
  const { model: converted, initializers, casts, constants } = convertToFloat32(model);
  const out = saveModel(converted);
  const verification = await verifyModel('float32', bytes, out, feeds(), TOLERANCES.float32);
  return { bytes: out, conversion: { initializers, casts, constants, verification } };
}
