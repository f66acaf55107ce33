/**
 * A real opset converter for the default ONNX domain, opsets 7–12 up to 13 (what per-channel QDQ needs): the ops
 * whose signature or semantics changed on the way are rewritten (Upsample → Resize, Slice/TopK/Clip/Pad/Split/
 * Squeeze/Unsqueeze/ReduceSum attributes → inputs, Softmax-family axis semantics, Dropout, BatchNormalization's
 * spatial, Resize-10, Scatter), the ops known unchanged for inference are kept, anything else is refused by name
 * (OPSET_UNCONVERTIBLE). Subgraphs are converted too. Callers check the result against the original
 * (`upgradeOpset` in operators/opset-upgrade) before using it.
 */
import { TierwiseError } from '../../common/errors';
import { cloneModel, onnx, opsetVersion, toNumber, type GraphProto, type ModelProto, type NodeProto } from '../model-io';
import { forEachGraph, uniqueNamer } from '../graph';
import { makeTensor } from '../tensor';

const ATTR = onnx.AttributeProto.AttributeType;
export const MIN_SOURCE_OPSET = 7;
export const MAX_TARGET_OPSET = 13;

/** Ops whose changes between opset 7 and 13 keep the inference semantics of a valid older model. */
const UNCHANGED = new Set(
  `Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool Cast Ceil Celu Concat
Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh CumSum DepthToSpace DequantizeLinear Det Div Einsum Elu
Equal Erf Exp Expand EyeLike Flatten Floor GRU Gather GatherElements GatherND Gemm GlobalAveragePool GlobalLpPool
GlobalMaxPool Greater GreaterOrEqual HardSigmoid Identity If InstanceNormalization IsInf IsNaN LRN LSTM LeakyRelu Less
LessOrEqual Log Loop LpNormalization LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool Mean MeanVarianceNormalization
Min Mod Mul Neg NonMaxSuppression NonZero Not OneHot Or PRelu Pow QLinearConv QLinearMatMul QuantizeLinear RNN Range
Reciprocal ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSumSquare Relu
Reshape ReverseSequence RoiAlign Round ScatterElements ScatterND Selu Shape Shrink Sigmoid Sign Sin Sinh Size Softplus
Softsign SpaceToDepth Sqrt Sub Sum Tan Tanh ThresholdedRelu Tile Transpose Unique Where Xor BitShift DynamicQuantizeLinear
Compress Resize Pad Clip`.split(/\s+/),
);

/** Ops `rewrite` decides about itself (rewritten, kept as they are, or refused). */
const HANDLED = new Set([
  'Upsample',
  'Slice',
  'TopK',
  'Dropout',
  'BatchNormalization',
  'Scatter',
  'Squeeze',
  'Unsqueeze',
  'ReduceSum',
  'Split',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
]);

export interface OpsetConversion {
  model: ModelProto;
  from: number;
  to: number;
  /** Rewrites done, by op: `{ Upsample: 2, Slice: 5 }`. */
  rewritten: Record<string, number>;
}

function attr(node: NodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}
function dropAttrs(node: NodeProto, ...names: string[]): void {
  node.attribute = (node.attribute ?? []).filter((a) => !names.includes(a.name ?? ''));
}
function ints(a: onnx.IAttributeProto | undefined): number[] | undefined {
  return a ? (a.ints ?? []).map((v) => toNumber(v)) : undefined;
}
function setStringAttr(node: NodeProto, name: string, value: string): void {
  dropAttrs(node, name);
  (node.attribute ??= []).push({ name, type: ATTR.STRING, s: new TextEncoder().encode(value) });
}
function attrString(a: onnx.IAttributeProto | undefined): string | undefined {
  return a?.s ? new TextDecoder().decode(a.s) : undefined;
}

/** Converts (a copy of) `model` from its default-domain opset to `target`; throws OPSET_UNCONVERTIBLE naming what it cannot. */
export function convertOpset(source: ModelProto, target = MAX_TARGET_OPSET): OpsetConversion {
  const from = opsetVersion(source, '') ?? 0;
  if (from >= target) return { model: cloneModel(source), from, to: from, rewritten: {} };
  if (target > MAX_TARGET_OPSET)
    throw new TierwiseError('OPSET_UNCONVERTIBLE', `the converter goes up to opset ${MAX_TARGET_OPSET}, not ${target}`);
  if (from < MIN_SOURCE_OPSET)
    throw new TierwiseError(
      'OPSET_UNCONVERTIBLE',
      `the model imports opset ${from}; the converter starts at opset ${MIN_SOURCE_OPSET} (older ops carry legacy attributes such as consumed_inputs)`,
      { from },
    );
  const model = cloneModel(source);
  const fresh = uniqueNamer(model.graph!);
  const rewritten: Record<string, number> = {};
  const refused = new Map<string, string>();
  forEachGraph(model.graph!, (graph) => {
    const out: NodeProto[] = [];
    for (const node of graph.node ?? []) {
      const domain = node.domain ?? '';
      if (domain !== '' && domain !== 'ai.onnx') {
        out.push(node);
        continue;
      }
      const op = node.opType ?? '';
      const result = rewrite(graph, node, from, target, fresh);
      if (result === 'refuse') {
        refused.set(op, refusalReason(node));
        out.push(node);
        continue;
      }
      if (result) {
        rewritten[op] = (rewritten[op] ?? 0) + 1;
        out.push(...result);
        continue;
      }
      if (!UNCHANGED.has(op) && !HANDLED.has(op)) refused.set(op, `no conversion rule for ${op} from opset ${from}`);
      out.push(node);
    }
    graph.node = out;
  });
  if (refused.size > 0) {
    const list = [...refused].map(([op, why]) => `${op} (${why})`).join(', ');
    throw new TierwiseError('OPSET_UNCONVERTIBLE', `cannot convert the model from opset ${from} to ${target}: ${list}`, {
      from,
      to: target,
      ops: [...refused.keys()],
    });
  }
  const entry = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')!;
  entry.version = target;
  if (toNumber(model.irVersion) < 7) model.irVersion = 7;
  return { model, from, to: target, rewritten };
}

function refusalReason(node: NodeProto): string {
  const op = node.opType ?? '';
  if (op === 'BatchNormalization') return 'spatial=0 or training outputs';
  if (op === 'Dropout') return 'its mask output is read';
  if (op === 'Upsample' || op === 'Resize') return 'a mode other than nearest/linear/bilinear';
  return 'unsupported form';
}

type Fresh = (base: string) => string;

function int64Input(graph: GraphProto, fresh: Fresh, base: string, values: number[], scalar = false): string {
  const name = fresh(base);
  (graph.initializer ??= []).push(makeTensor(name, scalar ? [] : [values.length], BigInt64Array.from(values.map((v) => BigInt(v)))));
  return name;
}
function floatInput(graph: GraphProto, fresh: Fresh, base: string, values: number[], scalar = false): string {
  const name = fresh(base);
  (graph.initializer ??= []).push(makeTensor(name, scalar ? [] : [values.length], Float32Array.from(values)));
  return name;
}

/** The replacement nodes for `node`, null when it stays as it is, 'refuse' when it cannot be converted. */
function rewrite(graph: GraphProto, node: NodeProto, from: number, target: number, fresh: Fresh): NodeProto[] | null | 'refuse' {
  const op = node.opType ?? '';
  const inputs = [...(node.input ?? [])];
  const label = node.name || op;
  switch (op) {
    case 'Upsample':
    case 'Resize': {
      if (op === 'Resize' && from >= 11) return null;
      const mode = attrString(attr(node, 'mode')) ?? 'nearest';
      if (!['nearest', 'linear', 'bilinear'].includes(mode)) return 'refuse';
      let scales = inputs[1];
      if (!scales) {
        const given = (attr(node, 'scales')?.floats ?? []).map(Number);
        if (given.length === 0) return 'refuse';
        scales = floatInput(graph, fresh, `${label}_scales`, given);
      }
      const roi = floatInput(graph, fresh, `${label}_roi`, []);
      dropAttrs(node, 'scales', 'height_scale', 'width_scale');
      node.opType = 'Resize';
      node.input = [inputs[0], roi, scales];
      setStringAttr(node, 'mode', mode === 'nearest' ? 'nearest' : 'linear');
      setStringAttr(node, 'coordinate_transformation_mode', 'asymmetric');
      if (mode === 'nearest') setStringAttr(node, 'nearest_mode', 'floor');
      return [node];
    }
    case 'Slice': {
      if (from >= 10) return null;
      const starts = ints(attr(node, 'starts')) ?? [];
      const ends = ints(attr(node, 'ends')) ?? [];
      const axes = ints(attr(node, 'axes'));
      dropAttrs(node, 'starts', 'ends', 'axes');
      node.input = [
        inputs[0],
        int64Input(graph, fresh, `${label}_starts`, starts),
        int64Input(graph, fresh, `${label}_ends`, ends),
        ...(axes ? [int64Input(graph, fresh, `${label}_axes`, axes)] : []),
      ];
      return [node];
    }
    case 'TopK': {
      if (from >= 10) return null;
      const k = toNumber(attr(node, 'k')?.i);
      dropAttrs(node, 'k');
      node.input = [inputs[0], int64Input(graph, fresh, `${label}_k`, [k])];
      return [node];
    }
    case 'Dropout': {
      const outputs = (node.output ?? []).filter(Boolean);
      if (outputs.length > 1 && graphReads(graph, outputs[1])) return 'refuse';
      return [{ opType: 'Identity', name: node.name, input: [inputs[0]], output: [outputs[0]] }];
    }
    case 'BatchNormalization': {
      if (from >= 9) return null;
      const spatial = attr(node, 'spatial');
      if (spatial && toNumber(spatial.i) === 0) return 'refuse';
      const outputs = node.output ?? [];
      if (outputs.slice(1).some((o) => o && graphReads(graph, o))) return 'refuse';
      dropAttrs(node, 'spatial', 'is_test', 'consumed_inputs');
      node.output = [outputs[0]];
      return [node];
    }
    case 'Clip': {
      if (from >= 11) return null;
      const min = attr(node, 'min');
      const max = attr(node, 'max');
      dropAttrs(node, 'min', 'max');
      node.input = [
        inputs[0],
        min ? floatInput(graph, fresh, `${label}_min`, [Number(min.f ?? 0)], true) : '',
        ...(max ? [floatInput(graph, fresh, `${label}_max`, [Number(max.f ?? 0)], true)] : []),
      ];
      return [node];
    }
    case 'Pad': {
      if (from >= 11) return null;
      const pads = ints(attr(node, 'pads')) ?? ints(attr(node, 'paddings')) ?? [];
      const value = attr(node, 'value');
      dropAttrs(node, 'pads', 'paddings', 'value');
      node.input = [
        inputs[0],
        int64Input(graph, fresh, `${label}_pads`, pads),
        ...(value ? [floatInput(graph, fresh, `${label}_value`, [Number(value.f ?? 0)], true)] : []),
      ];
      return [node];
    }
    case 'Scatter':
      node.opType = 'ScatterElements';
      return [node];
    case 'Squeeze':
    case 'Unsqueeze':
    case 'ReduceSum':
    case 'Split': {
      if (target < 13 || from >= 13) return null;
      const name = op === 'Split' ? 'split' : 'axes';
      const values = ints(attr(node, name));
      if (!values) return op === 'Unsqueeze' ? 'refuse' : null;
      dropAttrs(node, name);
      node.input = [inputs[0], int64Input(graph, fresh, `${label}_${name}`, values)];
      return [node];
    }
    case 'Softmax':
    case 'LogSoftmax':
    case 'Hardmax': {
      if (target < 13 || from >= 13) return null;
      const axis = attr(node, 'axis') ? toNumber(attr(node, 'axis')!.i) : 1;
      if (axis === -1) return null;
      const rank = rankOf(graph, inputs[0]);
      if (rank !== undefined && (axis === rank - 1 || axis === -1)) {
        dropAttrs(node, 'axis');
        (node.attribute ??= []).push({ name: 'axis', type: ATTR.INT, i: -1 });
        return [node];
      }
      // opset < 13 coerces the input to 2-D at `axis` and normalises the second dim: Flatten → op(axis=-1) → Reshape back.
      const flat = fresh(`${label}_flattened`);
      const normed = fresh(`${label}_2d`);
      const shape = fresh(`${label}_shape`);
      return [
        {
          opType: 'Flatten',
          name: fresh(`${label}_Flatten`),
          input: [inputs[0]],
          output: [flat],
          attribute: [{ name: 'axis', type: ATTR.INT, i: axis }],
        },
        { opType: op, name: node.name, input: [flat], output: [normed], attribute: [{ name: 'axis', type: ATTR.INT, i: -1 }] },
        { opType: 'Shape', name: fresh(`${label}_Shape`), input: [inputs[0]], output: [shape] },
        { opType: 'Reshape', name: fresh(`${label}_Reshape`), input: [normed, shape], output: [...(node.output ?? [])] },
      ];
    }
    default:
      return null;
  }
}

function graphReads(graph: GraphProto, name: string): boolean {
  if ((graph.output ?? []).some((o) => o.name === name)) return true;
  let read = false;
  forEachGraph(graph, (g) => {
    for (const n of g.node ?? []) if ((n.input ?? []).includes(name)) read = true;
  });
  return read;
}

function rankOf(graph: GraphProto, name: string): number | undefined {
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    if (v.name === name && v.type?.tensorType?.shape) return v.type.tensorType.shape.dim?.length ?? 0;
  }
  return undefined;
}
