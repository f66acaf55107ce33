import type { ImagePreprocessSpec } from '../datasets/formats/preprocess-spec';
import { imageToTensor } from '../datasets/formats/image-preprocess';
import type { ElementType, InputTensor } from '../onnx/io-spec';
import type { RequestDecodeCost, RequestEncoding } from './network';
import type { TierProfile } from './topology';

/**
 * Reading a client's request on the tier that answers it: the body as the study's encoding puts it on the wire
 * (an encoded image, decoded and preprocessed as the dataset is; or the raw input tensors back to back; either
 * base64'd in JSON) back into the model's input tensors. The verify server (src/netlab/verify-peer.ts) does exactly
 * this per request, and the advise job times it (measureRequestDecode) — and the same for the sample as the client
 * holds it, which the device decodes when it runs the model itself — so each scenario's predicted latency counts
 * turning the input into tensors where the model starts, not only the transfer and the model run.
 */
export type RequestDecoding = (
  | { kind: 'image'; inputName: string; spec: ImagePreprocessSpec }
  | { kind: 'raw'; inputs: Array<{ name: string; type: ElementType; dims: number[] }> }
) & {
  /** json-base64: the body is `{"input": "<base64>"}` around the image or tensor bytes (parsed and decoded first). */
  json?: boolean;
};

const ELEMENT: Record<string, { bytes: number; array: new (buffer: ArrayBuffer) => InputTensor['data'] }> = {
  float32: { bytes: 4, array: Float32Array },
  float64: { bytes: 8, array: Float64Array },
  int64: { bytes: 8, array: BigInt64Array },
  int32: { bytes: 4, array: Int32Array },
  uint8: { bytes: 1, array: Uint8Array },
  int8: { bytes: 1, array: Int8Array },
  float16: { bytes: 2, array: Uint16Array },
};

export async function decodeRequest(received: Buffer, decoding: RequestDecoding): Promise<Record<string, InputTensor>> {
  const body = decoding.json ? Buffer.from((JSON.parse(received.toString('utf8')) as { input: string }).input, 'base64') : received;
  if (decoding.kind === 'image') return { [decoding.inputName]: await imageToTensor(body, decoding.spec, 'request') };
  const out: Record<string, InputTensor> = {};
  let offset = 0;
  for (const input of decoding.inputs) {
    const element = ELEMENT[input.type];
    if (!element) throw new Error(`input ${input.name}: element type ${input.type} cannot be sent raw`);
    const length = input.dims.reduce((n, d) => n * d, 1) * element.bytes;
    if (offset + length > body.length) throw new Error(`body of ${body.length} B is shorter than the input tensors`);
    const copy = new ArrayBuffer(length);
    new Uint8Array(copy).set(body.subarray(offset, offset + length));
    out[input.name] = { type: input.type, dims: input.dims, data: new element.array(copy) };
    offset += length;
  }
  return out;
}

/** The slowdown of single-threaded work on a tier: one of its cores (or its CPU share, when under one) at its speed. */
export function singleThreadScale(tier: Pick<TierProfile, 'cpus' | 'coreSpeed'>): number {
  return 1 / (Math.min(tier.cpus, 1) * tier.coreSpeed);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Rounds over the bodies after one warm-up round (the first decode loads sharp's codecs). */
const ROUNDS = 3;

/** Decodes each body in turn, one at a time, `ROUNDS` times after a warm-up, and gives the median per decode. */
export async function measureRequestDecode(
  bodies: Buffer[],
  decoding: RequestDecoding,
  rounds = ROUNDS,
): Promise<{ p50Ms: number; samplesMs: number[] }> {
  if (bodies.length === 0) throw new RangeError('measureRequestDecode needs at least one request body');
  for (const body of bodies) await decodeRequest(body, decoding);
  const samplesMs: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const body of bodies) {
      const t0 = performance.now();
      await decodeRequest(body, decoding);
      samplesMs.push(performance.now() - t0);
    }
  return { p50Ms: median(samplesMs), samplesMs };
}

/** The measured costs per tier: the request as sent on a tier it reaches, the sample as held on the origin. */
export function requestDecodeCost(
  encoding: RequestEncoding,
  measured: { request: { p50Ms: number; samplesMs: number[] }; sample: { p50Ms: number } },
  tiers: Record<string, Pick<TierProfile, 'cpus' | 'coreSpeed'>>,
  method: string,
): RequestDecodeCost {
  const scale = Object.fromEntries(Object.entries(tiers).map(([name, t]) => [name, singleThreadScale(t)]));
  const perTier = (hostMs: number) => Object.fromEntries(Object.entries(scale).map(([name, s]) => [name, hostMs * s]));
  return {
    status: 'measured',
    encoding,
    requestHostP50Ms: measured.request.p50Ms,
    sampleHostP50Ms: measured.sample.p50Ms,
    samples: measured.request.samplesMs.length,
    requestMs: perTier(measured.request.p50Ms),
    sampleMs: perTier(measured.sample.p50Ms),
    scale,
    method,
  };
}
