import sharp from 'sharp';
import { TierwiseError } from '../../common/errors';
import type { ImagePreprocessSpec } from './preprocess-spec';
import type { InputTensor } from '../../onnx/io-spec';

interface Pixels {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

async function decode(bytes: Buffer, spec: ImagePreprocessSpec, name: string): Promise<Pixels> {
  try {
    let image = sharp(bytes, { failOn: 'error' }).removeAlpha();
    image = spec.channels === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
    if (typeof spec.resize === 'number') {
      image = image.resize({ width: spec.resize, height: spec.resize, fit: 'outside' });
    } else if (spec.resize) {
      image = image.resize({ width: spec.resize[1], height: spec.resize[0], fit: 'fill' });
    }
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== spec.channels) throw new Error(`decoded ${info.channels} channels, expected ${spec.channels}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      height: info.height,
      width: info.width,
      channels: info.channels,
    };
  } catch (error) {
    throw new TierwiseError('DATASET_INVALID', `image ${name} cannot be decoded: ${(error as Error).message}`);
  }
}

/** Crops or pads a HWC buffer to [height, width] around its centre; `fill` covers the new border. */
function fitCentred(pixels: Pixels, height: number, width: number, fill: number): Pixels {
  const { channels } = pixels;
  const out = new Uint8Array(height * width * channels).fill(fill);
  const top = Math.floor((pixels.height - height) / 2);
  const left = Math.floor((pixels.width - width) / 2);
  for (let y = 0; y < height; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= pixels.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x + left;
      if (sx < 0 || sx >= pixels.width) continue;
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = pixels.data[(sy * pixels.width + sx) * channels + c];
    }
  }
  return { data: out, height, width, channels };
}

function allocate(dtype: ImagePreprocessSpec['dtype'], size: number): InputTensor['data'] {
  if (dtype === 'float64') return new Float64Array(size);
  if (dtype === 'uint8') return new Uint8Array(size);
  if (dtype === 'int8') return new Int8Array(size);
  return new Float32Array(size);
}

/**
 * Decodes an encoded image and turns it into a batch-1 tensor: resize, centre-crop, pad (in raw pixel space),
 * then `((p * scale) - mean[c]) / std[c]`, in the spec's layout and element type. Integer types saturate.
 */
export async function imageToTensor(bytes: Buffer, spec: ImagePreprocessSpec, name: string): Promise<InputTensor> {
  let pixels = await decode(bytes, spec, name);
  if (spec.centerCrop)
    pixels = fitCentred(pixels, Math.min(spec.centerCrop[0], pixels.height), Math.min(spec.centerCrop[1], pixels.width), 0);
  if (spec.padTo) {
    const fill = Math.max(0, Math.min(255, Math.round(spec.padValue)));
    pixels = fitCentred(pixels, Math.max(spec.padTo[0], pixels.height), Math.max(spec.padTo[1], pixels.width), fill);
  }
  const { height, width, channels } = pixels;
  const data = allocate(spec.dtype, height * width * channels);
  const integer = spec.dtype === 'uint8' || spec.dtype === 'int8';
  const [lo, hi] = spec.dtype === 'uint8' ? [0, 255] : [-128, 127];
  const plane = height * width;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) {
      let value = (pixels.data[i * channels + c] * spec.scale - spec.mean[c]) / spec.std[c];
      if (integer) value = Math.max(lo, Math.min(hi, Math.round(value)));
      data[spec.layout === 'NCHW' ? c * plane + i : i * channels + c] = value;
    }
  }
  const dims = spec.layout === 'NCHW' ? [1, channels, height, width] : [1, height, width, channels];
  return { type: spec.dtype, dims, data };
}
