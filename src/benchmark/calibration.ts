import { readFileSync, existsSync } from 'node:fs';
import { TierwiseError } from '../common/errors';

/**
 * Anchoring an emulated tier to a real device. The reference model is measured natively on the device
 * (`tierwise bench ref.onnx --tier <t> --envelope native --json`, idle device) and here on `threads` pinned
 * host cores with the same model, input shapes, onnxruntime version, session options and thread count.
 * Then p50_device = p50_host × threads / (threads × coreSpeed), i.e. coreSpeed = p50_host / p50_device.
 * Assumes: the device gave the run `threads` dedicated cores (so its cpus ≥ threads during the reference run);
 * speed is uniform across operators (it is not: a CPU without VNNI or with NEON instead of AVX-512 speeds int8
 * and fp32 differently; calibrate with a model like your workloads, or per variant family).
 */
export interface DeviceReference {
  p50Ms: number;
  threads: number | null;
  inputShapes: Record<string, number[]> | null;
  source: string;
}

/** `--device 12.5` or `--device device.json` (a `tierwise bench --json` result, or `{ "p50Ms": 12.5, "threads": 1 }`). */
export function readDeviceReference(arg: string): DeviceReference {
  const asNumber = Number(arg);
  if (arg.trim() !== '' && Number.isFinite(asNumber)) {
    if (!(asNumber > 0)) throw new TierwiseError('CALIBRATION_INVALID', `device p50 must be > 0 ms, got ${arg}`);
    return { p50Ms: asNumber, threads: null, inputShapes: null, source: 'number' };
  }
  if (!existsSync(arg)) throw new TierwiseError('CALIBRATION_INVALID', `--device ${arg} is neither a number of ms nor a JSON file`);
  let json: {
    p50Ms?: unknown;
    raw?: { p50?: unknown };
    threads?: unknown;
    session?: { intraOpNumThreads?: unknown };
    inputShapes?: unknown;
    envelope?: { method?: unknown };
  };
  try {
    json = JSON.parse(readFileSync(arg, 'utf8'));
  } catch (error) {
    throw new TierwiseError('CALIBRATION_INVALID', `${arg} is not JSON: ${(error as Error).message}`);
  }
  // A bench result holds the device's own time in raw.p50; on a native run raw and scaled agree.
  const p50 = typeof json.p50Ms === 'number' ? json.p50Ms : json.raw?.p50;
  if (typeof p50 !== 'number' || !(p50 > 0))
    throw new TierwiseError('CALIBRATION_INVALID', `${arg}: needs p50Ms, or raw.p50 from tierwise bench --json`);
  if (json.envelope?.method !== undefined && json.envelope.method !== 'native') {
    throw new TierwiseError(
      'CALIBRATION_INVALID',
      `${arg} was measured with envelope "${String(json.envelope.method)}"; a device reference must be measured with --envelope native`,
    );
  }
  const threads =
    typeof json.threads === 'number'
      ? json.threads
      : typeof json.session?.intraOpNumThreads === 'number'
        ? json.session.intraOpNumThreads
        : null;
  const inputShapes = json.inputShapes && typeof json.inputShapes === 'object' ? (json.inputShapes as Record<string, number[]>) : null;
  return { p50Ms: p50, threads, inputShapes, source: arg };
}

export function coreSpeedFrom(hostP50Ms: number, deviceP50Ms: number): number {
  if (!(hostP50Ms > 0) || !(deviceP50Ms > 0))
    throw new TierwiseError('CALIBRATION_INVALID', `p50s must be > 0 (host ${hostP50Ms}, device ${deviceP50Ms})`);
  return hostP50Ms / deviceP50Ms;
}
