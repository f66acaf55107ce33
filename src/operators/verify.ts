/**
 * Nothing unchecked leaves an engine: every model an engine writes is loaded in onnxruntime and run against the
 * original on the same sample inputs before anyone reports success. A model that does not load, loses an output,
 * changes a shape or produces NaN where the original does not is ENGINE_OUTPUT_INVALID; one that disagrees beyond
 * the engine's tolerance is ENGINE_OUTPUT_DISAGREES; both carry the measured disagreement per output.
 */
import { TierwiseError } from '../common/errors';
import type { InputTensor } from '../onnx/io-spec';
import { onnx, openSession, toFeeds, type ModelProto, type ort } from '../onnx';
import { halfToFloat } from '../onnx/float16';

/**
 * `close`: the written model computes the same function (partition, opset and fp16→fp32 conversions): every
 * output within `rtol` of its largest magnitude. `fidelity`: an approximation (int8): every float output with
 * cosine similarity ≥ `minCosine` (or within `rtol` of its magnitude). `report`: outputs change by design (pruning,
 * early exit): the disagreement is measured and reported, only a load failure, a lost output or NaN fails.
 */
export type Tolerance =
  | { kind: 'close'; rtol: number }
  /** `maxRelL2` also bounds ‖a−b‖/‖a‖: cosine alone misses an output that keeps its direction but drifts in scale. */
  | { kind: 'fidelity'; minCosine: number; rtol: number; maxRelL2?: number }
  /** `maxRelL2`: a change larger than this share of the output's norm (‖a−b‖/‖a‖) is no approximation: a failure. */
  | { kind: 'report'; maxRelL2?: number };

export const TOLERANCES = {
  partition: { kind: 'close', rtol: 1e-4 },
  /** A graph that computes in fp16 (fp16 weights/activations): a split moves fusions, so outputs differ by a few fp16 ulps. */
  partitionFp16: { kind: 'close', rtol: 5e-3 },
  /**
   * A static int8 (QDQ) graph: onnxruntime fuses DequantizeLinear → op → QuantizeLinear into integer kernels, and a
   * split changes which of those fuse at the cut, so outputs differ by a fraction of one int8 step (1/255 of the
   * range; the text teacher's sptq split measured relative 6.7e-4, cosine 1.0000, top-1 100 %).
   */
  partitionInt8: { kind: 'close', rtol: 5e-3 },
  opset: { kind: 'close', rtol: 1e-4 },
  float32: { kind: 'close', rtol: 1e-2 },
  int8: { kind: 'fidelity', minCosine: 0.99, rtol: 0.02, maxRelL2: 0.15 },
  prune: { kind: 'report', maxRelL2: 1 },
  'early-exit': { kind: 'report', maxRelL2: 1 },
} as const satisfies Record<string, Tolerance>;

/** Whether the top-level graph computes in float16 (fp16 initializers or Casts to fp16): its exact rewrites are held to fp16 rounding. */
export function computesInFp16(model: ModelProto): boolean {
  const graph = model.graph!;
  return (
    (graph.initializer ?? []).some((t) => t.dataType === onnx.TensorProto.DataType.FLOAT16) ||
    (graph.node ?? []).some(
      (n) => n.opType === 'Cast' && (n.attribute ?? []).some((a) => a.name === 'to' && Number(a.i) === onnx.TensorProto.DataType.FLOAT16),
    )
  );
}

/** Whether the top-level graph is a static int8 (QDQ) graph: a split moves onnxruntime's integer fusions. */
export function computesInQdq(model: ModelProto): boolean {
  return (model.graph!.node ?? []).some((n) => n.opType === 'QuantizeLinear');
}

/**
 * The tolerance head → tail is held to: float rounding, fp16 rounding for a graph that computes in fp16, a
 * fraction of an int8 step for a QDQ graph.
 */
export function partitionTolerance(model: ModelProto): Tolerance {
  if (computesInFp16(model)) return TOLERANCES.partitionFp16;
  return computesInQdq(model) ? TOLERANCES.partitionInt8 : TOLERANCES.partition;
}

export interface OutputAgreement {
  name: string;
  shape: number[];
  /** Largest |written − original| over all samples. */
  maxAbs: number;
  /** maxAbs over the largest |original| value. */
  relative: number;
  /** ‖written − original‖ / ‖original‖ over all samples. */
  relL2: number;
  cosine: number;
  /** Share of rows (last axis = classes, when it has more than one element) with the same argmax; null otherwise. */
  top1Agreement: number | null;
  passed: boolean;
}

export interface Verification {
  engine: string;
  tolerance: Tolerance;
  samples: number;
  inputShapes: Record<string, number[]>;
  outputs: OutputAgreement[];
  passed: boolean;
}

type Outputs = Record<string, ort.Tensor>;

async function runAll(
  bytes: Uint8Array,
  label: string,
  feeds: Array<Record<string, InputTensor>>,
  engine: string,
  original: boolean,
): Promise<Outputs[]> {
  let session: ort.InferenceSession;
  try {
    session = await openSession(bytes, { threads: 1 });
  } catch (error) {
    if (original) throw error;
    throw new TierwiseError('ENGINE_OUTPUT_INVALID', `${engine} wrote a ${label} onnxruntime cannot load: ${(error as Error).message}`, {
      engine,
      model: label,
    });
  }
  try {
    const out: Outputs[] = [];
    for (const f of feeds) {
      const wanted = Object.fromEntries(session.inputNames.map((n) => [n, f[n]]));
      const absent = session.inputNames.filter((n) => !f[n]);
      if (absent.length)
        throw new TierwiseError(
          'ENGINE_OUTPUT_INVALID',
          `${engine}: the ${label} wants inputs ${absent.join(', ')} that the original does not have`,
          { engine, model: label },
        );
      try {
        out.push(await session.run(toFeeds(wanted)));
      } catch (error) {
        const shapes = Object.entries(wanted)
          .map(([n, t]) => `${n}: ${t.type}[${t.dims}]`)
          .join(', ');
        if (original)
          throw new TierwiseError(
            'MODEL_RUN_FAILED',
            `the original model fails on the verification inputs (${shapes}): ${(error as Error).message}`,
          );
        throw new TierwiseError(
          'ENGINE_OUTPUT_INVALID',
          `${engine}: the ${label} loads but fails to run on ${shapes}: ${(error as Error).message}`,
          { engine, model: label },
        );
      }
    }
    return out;
  } finally {
    await session.release();
  }
}

function values(t: ort.Tensor): Float64Array {
  const data = t.data as ArrayLike<number | bigint>;
  const out = new Float64Array(data.length);
  if (t.type === 'float16') for (let i = 0; i < data.length; i++) out[i] = halfToFloat(Number(data[i]));
  else for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

function compare(name: string, refs: ort.Tensor[], gots: ort.Tensor[], tolerance: Tolerance, engine: string): OutputAgreement {
  let maxAbs = 0;
  let maxRef = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let diff2 = 0;
  let rows = 0;
  let sameRows = 0;
  for (let s = 0; s < refs.length; s++) {
    const [ref, got] = [refs[s], gots[s]];
    if (ref.dims.join(',') !== got.dims.join(',')) {
      throw new TierwiseError('ENGINE_OUTPUT_INVALID', `${engine}: output ${name} has shape [${got.dims}], the original [${ref.dims}]`, {
        engine,
        output: name,
      });
    }
    const a = values(ref);
    const b = values(got);
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(b[i]) && !Number.isNaN(a[i])) {
        throw new TierwiseError(
          'ENGINE_OUTPUT_INVALID',
          `${engine}: output ${name} holds NaN where the original does not (element ${i} of sample ${s})`,
          { engine, output: name },
        );
      }
      if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) continue;
      maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
      maxRef = Math.max(maxRef, Math.abs(a[i]));
      dot += a[i] * b[i];
      diff2 += (a[i] - b[i]) ** 2;
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    const classes = ref.dims[ref.dims.length - 1] ?? 1;
    if (classes > 1) {
      for (let r = 0; r + classes <= a.length; r += classes) {
        rows++;
        if (argmax(a, r, classes) === argmax(b, r, classes)) sameRows++;
      }
    }
  }
  const relative = maxRef > 0 ? maxAbs / maxRef : maxAbs;
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  const relL2 = na > 0 ? Math.sqrt(diff2 / na) : Math.sqrt(diff2);
  const passed =
    tolerance.kind === 'report'
      ? tolerance.maxRelL2 === undefined || relL2 <= tolerance.maxRelL2
      : tolerance.kind === 'close'
        ? relative <= tolerance.rtol
        : relative <= tolerance.rtol ||
          (cosine >= tolerance.minCosine && (tolerance.maxRelL2 === undefined || relL2 <= tolerance.maxRelL2));
  return { name, shape: [...refs[0].dims], maxAbs, relative, relL2, cosine, top1Agreement: rows > 0 ? sameRows / rows : null, passed };
}

function argmax(a: Float64Array, start: number, n: number): number {
  let best = start;
  for (let i = start + 1; i < start + n; i++) if (a[i] > a[best]) best = i;
  return best - start;
}

function conclude(
  engine: string,
  tolerance: Tolerance,
  feeds: Array<Record<string, InputTensor>>,
  refs: Outputs[],
  gots: Outputs[],
): Verification {
  const names = Object.keys(refs[0]);
  const lost = names.filter((n) => !(n in gots[0]));
  if (lost.length)
    throw new TierwiseError('ENGINE_OUTPUT_INVALID', `${engine}: the written model lost outputs ${lost.join(', ')}`, { engine, lost });
  const outputs = names.map((n) =>
    compare(
      n,
      refs.map((r) => r[n]),
      gots.map((g) => g[n]),
      tolerance,
      engine,
    ),
  );
  const verification: Verification = {
    engine,
    tolerance,
    samples: feeds.length,
    inputShapes: Object.fromEntries(Object.entries(feeds[0]).map(([n, t]) => [n, [...t.dims]])),
    outputs,
    passed: outputs.every((o) => o.passed),
  };
  if (!verification.passed) {
    const worst = outputs
      .filter((o) => !o.passed)
      .map(
        (o) =>
          `${o.name}: max abs ${o.maxAbs.toExponential(2)}, relative ${o.relative.toExponential(2)}, relative L2 ${o.relL2.toExponential(2)}, cosine ${o.cosine.toFixed(4)}${o.top1Agreement === null ? '' : `, top-1 agreement ${(o.top1Agreement * 100).toFixed(1)}%`}`,
      );
    throw new TierwiseError(
      'ENGINE_OUTPUT_DISAGREES',
      `${engine}: the written model disagrees with the original beyond ${describeTolerance(tolerance)} (${worst.join('; ')})`,
      { verification },
    );
  }
  return verification;
}

export function describeTolerance(t: Tolerance): string {
  if (t.kind === 'close') return `relative ${t.rtol}`;
  if (t.kind === 'fidelity')
    return `cosine ≥ ${t.minCosine}${t.maxRelL2 === undefined ? '' : ` and relative L2 ≤ ${t.maxRelL2}`} (or relative ≤ ${t.rtol})`;
  return t.maxRelL2 === undefined
    ? 'nothing (reported only)'
    : `a change of relative L2 ≤ ${t.maxRelL2} (a change larger than the output itself is no approximation)`;
}

/** Runs `original` and `written` on `feeds` and compares every original output. */
export async function verifyModel(
  engine: string,
  original: Uint8Array,
  written: Uint8Array,
  feeds: Array<Record<string, InputTensor>>,
  tolerance: Tolerance,
): Promise<Verification> {
  if (feeds.length === 0) throw new TierwiseError('INPUT_SPEC_REQUIRED', `${engine}: no sample inputs to verify the written model with`);
  const refs = await runAll(original, 'original model', feeds, engine, true);
  const gots = await runAll(written, 'model', feeds, engine, false);
  return conclude(engine, tolerance, feeds, refs, gots);
}

/** Head → tail (the tail fed the head's outputs and the forwarded graph inputs) against the original. */
export async function verifySplit(
  original: Uint8Array,
  head: Uint8Array,
  tail: Uint8Array,
  feeds: Array<Record<string, InputTensor>>,
  tolerance: Tolerance = TOLERANCES.partition,
): Promise<Verification> {
  const engine = 'partition';
  if (feeds.length === 0) throw new TierwiseError('INPUT_SPEC_REQUIRED', `${engine}: no sample inputs to verify the head and tail with`);
  const refs = await runAll(original, 'original model', feeds, engine, true);
  const heads = await runAll(head, 'head', feeds, engine, false);
  const tailFeeds = feeds.map((f, i) => ({
    ...f,
    ...Object.fromEntries(
      Object.entries(heads[i]).map(([n, t]) => [
        n,
        { type: t.type as InputTensor['type'], dims: [...t.dims], data: t.data as InputTensor['data'] },
      ]),
    ),
  }));
  const tails = await runAll(tail, 'tail', tailFeeds, engine, false);
  return conclude(engine, tolerance, feeds, refs, tails);
}
