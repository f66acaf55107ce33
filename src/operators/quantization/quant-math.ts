import type { WeightType } from './weight-type';
/** Integer ranges of the 8-bit types QuantizeLinear produces. */
export type QuantType = 'uint8' | 'int8';
export const QRANGE: Record<QuantType, { min: number; max: number }> = { uint8: { min: 0, max: 255 }, int8: { min: -128, max: 127 } };

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** Round half to even, the rounding ONNX QuantizeLinear specifies (so our offline codes match the kernels). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Scale and zero point for a real range. The range is widened to include 0 so that 0 (padding, ReLU floor) is
 * exact. Symmetric puts the zero point in the middle (0 for int8); an empty range gets scale 1 like onnxruntime.
 */
export function quantParams(rmin: number, rmax: number, type: QuantType, symmetric = false): QuantParams {
  const { min: qmin, max: qmax } = QRANGE[type];
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (symmetric) {
    const absMax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absMax;
    hi = absMax;
  }
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return { scale: 1, zeroPoint: symmetric && type === 'uint8' ? 128 : 0 };
  if (symmetric) {
    const scale = (2 * hi) / (qmax - qmin - (type === 'int8' ? 1 : 0));
    return { scale, zeroPoint: type === 'int8' ? 0 : 128 };
  }
  const scale = (hi - lo) / (qmax - qmin);
  return { scale, zeroPoint: clamp(roundHalfEven(qmin - lo / scale), qmin, qmax) };
}

export function quantizeValue(x: number, p: QuantParams, type: QuantType): number {
  const { min, max } = QRANGE[type];
  return clamp(roundHalfEven(x / p.scale) + p.zeroPoint, min, max);
}

export interface QuantizedWeight {
  data: Int8Array;
  scales: Float32Array;
  /** Channel axis of the scales, or undefined for one per-tensor scale. */
  axis?: number;
}

/**
 * Symmetric int8 weights (zero point 0, codes -127..127 so negation is exact), one scale per slice along
 * `axis` when per-channel, else a single scale.
 */
export function quantizeWeight(values: Float32Array, dims: readonly number[], axis: number | undefined): QuantizedWeight {
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number): number => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float32Array(channels);
  values.forEach((v, i) => {
    const c = channelOf(i);
    absMax[c] = Math.max(absMax[c], Math.abs(v));
  });
  const scales = Float32Array.from(absMax, (m) => (m > 0 ? m / 127 : 1));
  const data = new Int8Array(values.length);
  values.forEach((v, i) => {
    data[i] = clamp(roundHalfEven(v / scales[channelOf(i)]), -127, 127);
  });
  return { data, scales, axis };
}

/**
 * The stored codes of a quantized weight and its zero points (one per scale) in the host's weight type
 * (weight-type.ts): int8 as quantized with zero point 0, or uint8 shifted by 128 with zero point 128.
 */
export function weightCodes(q: QuantizedWeight, type: WeightType): { data: Int8Array | Uint8Array; zeroPoints: Int8Array | Uint8Array } {
  if (type === 'int8') return { data: q.data, zeroPoints: new Int8Array(q.scales.length) };
  return { data: Uint8Array.from(q.data, (v) => v + 128), zeroPoints: new Uint8Array(q.scales.length).fill(128) };
}

/** Bias as int32 with scale = input scale × weight scale (per channel), zero point 0, as QLinearConv expects. */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { data: Int32Array; scales: Float32Array } {
  const scales = Float32Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const data = Int32Array.from(bias, (b, c) => clamp(roundHalfEven(b / scales[c]), -2147483648, 2147483647));
  return { data, scales };
}
