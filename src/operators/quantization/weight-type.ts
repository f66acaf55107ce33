import { readFileSync } from 'node:fs';

/**
 * Which 8-bit type int8 weights are stored as for the host that runs them. onnxruntime's x86 kernels for uint8
 * activations × int8 weights (QLinearConv, QLinearMatMul, MatMulInteger, ConvInteger) multiply with VPMADDUBSW
 * where the CPU has no VNNI: it adds two u8 × s8 products into a saturating int16, and 255 × 127 × 2 = 64 770
 * overflows it, so sums clip without a word (measured on an AVX2 host without VNNI: the image teacher's static int8
 * lost 2 points of top-1, a depthwise graph fell to cosine 0.94, hey-jarvis's dynamic int8 to relative L2 0.43).
 * Its u8 × u8 kernels widen to 16 bits first and cannot saturate, so there the weights are stored as uint8 with
 * zero point 128 — the same symmetric codes shifted, no precision lost (hey-jarvis back to 0.027, its VNNI figure);
 * 7-bit int8 weights (onnxruntime's `reduce_range`) were tried too and left hey-jarvis at 0.17. VNNI (AVX512-VNNI,
 * AVX-VNNI, AMX) accumulates in int32 and ARM's dot-product kernels widen, so they keep int8 weights, the faster
 * form.
 */
export type WeightType = 'int8' | 'uint8';

export interface HostWeightType {
  type: WeightType;
  reason: string;
}

const VNNI_FLAGS = ['avx512_vnni', 'avx_vnni', 'amx_int8'];

function cpuFlags(): string[] | null {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^flags\s*:/.test(l));
    return line ? line.split(':')[1]!.trim().split(/\s+/) : null;
  } catch {
    return null;
  }
}

/**
 * The weight type for this host: INT8_WEIGHT_TYPE=int8|uint8 forces it; `auto` (the default) takes uint8 on an
 * x86-64 CPU without VNNI, or whose flags cannot be read (the safe side: never a clipped sum), else int8.
 */
export function hostWeightType(
  setting: string = process.env.INT8_WEIGHT_TYPE ?? 'auto',
  arch: string = process.arch,
  /** null: not known (an explicit `undefined` would read this host's flags). */
  flags: string[] | null = arch === 'x64' ? cpuFlags() : null,
): HostWeightType {
  if (setting === 'int8' || setting === 'uint8') return { type: setting, reason: `${setting} weights: INT8_WEIGHT_TYPE=${setting}` };
  if (setting !== 'auto') throw new RangeError(`INT8_WEIGHT_TYPE must be auto, int8 or uint8, got ${setting}`);
  if (arch !== 'x64') return { type: 'int8', reason: `int8 weights: ${arch} int8 kernels accumulate without saturating` };
  if (!flags)
    return { type: 'uint8', reason: 'uint8 weights (zero point 128): the CPU flags could not be read, so VNNI is not known to be there' };
  const vnni = VNNI_FLAGS.find((f) => flags.includes(f));
  return vnni
    ? { type: 'int8', reason: `int8 weights: this x86-64 CPU has ${vnni}` }
    : {
        type: 'uint8',
        reason: "uint8 weights (zero point 128): this x86-64 CPU has no VNNI, where onnxruntime's u8×s8 kernels saturate int8 weights",
      };
}
