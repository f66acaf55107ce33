import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ConverterType, create } from '@alexanderolsen/libsamplerate-js';
import { TierwiseError } from '../../common/errors';
import type { InputTensor, TensorSpec } from '../../onnx/io-spec';
import { visibleEntries } from './dataset-source';
import type { AudioPreprocessSpec } from './preprocess-spec';
import { safeEntryPath } from './safe-archive';
import type { DatasetSample } from './types';

/**
 * Audio datasets: a folder of WAV files, labelled by `labels.csv` (`file,label`, label = a class name from
 * classes.txt or a class index) or unlabelled (every top-level .wav). Each file is read (PCM 16-bit or 32-bit
 * float, any channel count: channels are averaged), resampled to the model's rate with libsamplerate
 * (`@alexanderolsen/libsamplerate-js`, SRC_SINC_BEST_QUALITY, its `simple` API over the whole file), then cut to
 * the model's window or zero-padded at the end.
 */

export const AUDIO_EXTENSIONS = new Set(['.wav', '.wave']);

/** A decoded WAV: mono samples (channel mean) in -1..1, and the file's rate and encoding. */
export interface DecodedWav {
  sampleRate: number;
  channels: number;
  encoding: 'pcm16' | 'float32';
  /** Frames in the file (samples per channel). */
  frames: number;
  samples: Float32Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'mu-law',
  0x11: 'IMA ADPCM',
  0x55: 'MPEG layer 3',
};
const MAX_SAMPLE_RATE = 768_000;

function corrupt(file: string, reason: string): TierwiseError {
  return new TierwiseError('AUDIO_INVALID', `${file}: not a readable WAV file (${reason})`, { file, reason });
}

function unsupported(file: string, encoding: string): TierwiseError {
  return new TierwiseError(
    'AUDIO_UNSUPPORTED',
    `${file}: ${encoding} is not supported; WAV files must be PCM 16-bit or 32-bit float (convert it, e.g. with ffmpeg -c:a pcm_s16le)`,
    { file, encoding },
  );
}

/**
 * Parses a RIFF/WAVE file: the `fmt ` chunk (PCM, IEEE float, or WAVE_FORMAT_EXTENSIBLE with one of those
 * sub-formats) and the `data` chunk; other chunks (LIST, fact, …) are skipped. `file` names the file in messages.
 */
export function decodeWav(bytes: Buffer, file: string): DecodedWav {
  if (bytes.length === 0) throw corrupt(file, 'the file is empty');
  if (bytes.length < 12) throw corrupt(file, `the RIFF header is truncated (${bytes.length} bytes)`);
  if (bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    throw corrupt(file, 'no RIFF/WAVE header');
  }
  let fmt: { format: number; channels: number; rate: number; blockAlign: number; bits: number } | undefined;
  let data: { offset: number; length: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw corrupt(file, 'the fmt chunk is truncated');
      let format = bytes.readUInt16LE(body);
      const bits = bytes.readUInt16LE(body + 14);
      if (format === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 26 > bytes.length) throw corrupt(file, 'the WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated');
        format = bytes.readUInt16LE(body + 24); // first two bytes of the sub-format GUID
      }
      fmt = {
        format,
        channels: bytes.readUInt16LE(body + 2),
        rate: bytes.readUInt32LE(body + 4),
        blockAlign: bytes.readUInt16LE(body + 12),
        bits,
      };
    } else if (id === 'data') {
      if (body + size > bytes.length) {
        throw corrupt(file, `the data chunk declares ${size} bytes but only ${bytes.length - body} follow`);
      }
      data = { offset: body, length: size };
      break;
    }
    at = body + size + (size % 2);
  }
  if (!fmt) throw corrupt(file, 'no fmt chunk: the header is truncated or this is no WAV');
  const { format, channels, rate, bits } = fmt;
  const encoding =
    format === WAVE_FORMAT_PCM && bits === 16 ? 'pcm16' : format === WAVE_FORMAT_IEEE_FLOAT && bits === 32 ? 'float32' : undefined;
  if (!encoding) {
    const name =
      format === WAVE_FORMAT_PCM
        ? `PCM ${bits}-bit`
        : format === WAVE_FORMAT_IEEE_FLOAT
          ? `${bits}-bit float`
          : (FORMAT_NAMES[format] ?? `WAV format tag 0x${format.toString(16).padStart(4, '0')}`);
    throw unsupported(file, name);
  }
  if (channels < 1) throw corrupt(file, 'the fmt chunk declares 0 channels');
  if (rate < 1 || rate > MAX_SAMPLE_RATE) throw corrupt(file, `sample rate ${rate} Hz is out of range (1..${MAX_SAMPLE_RATE})`);
  const frameBytes = channels * (bits / 8);
  if (fmt.blockAlign !== frameBytes)
    throw corrupt(file, `block align ${fmt.blockAlign} does not match ${channels} channels of ${bits} bits`);
  if (!data) throw corrupt(file, 'no data chunk');
  const frames = Math.floor(data.length / frameBytes);
  const samples = new Float32Array(frames);
  const read = encoding === 'pcm16' ? (o: number) => bytes.readInt16LE(o) / 32768 : (o: number) => bytes.readFloatLE(o);
  const step = bits / 8;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const base = data.offset + f * frameBytes;
    for (let c = 0; c < channels; c++) sum += read(base + c * step);
    if (!Number.isFinite(sum)) throw corrupt(file, `frame ${f} holds a NaN or infinite sample`);
    samples[f] = sum / channels;
  }
  return { sampleRate: rate, channels, encoding, frames, samples };
}

type Converter = Awaited<ReturnType<typeof create>>;

/**
 * Resamples mono audio to one rate with libsamplerate (sinc, best quality, the `simple` API: the whole clip at
 * once, state reset per call). Keeps one converter per source rate; `close()` frees them.
 */
export class Resampler {
  private readonly converters = new Map<number, Promise<Converter>>();

  constructor(readonly toRate: number) {}

  async resample(samples: Float32Array, fromRate: number): Promise<Float32Array> {
    if (fromRate === this.toRate || samples.length === 0) return samples;
    let converter = this.converters.get(fromRate);
    if (!converter) {
      converter = create(1, fromRate, this.toRate, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
      this.converters.set(fromRate, converter);
    }
    return (await converter).simple(samples);
  }

  async close(): Promise<void> {
    for (const converter of this.converters.values()) (await converter).destroy();
    this.converters.clear();
  }
}

/** One-off resampling (a converter made and freed for this call). */
export async function resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  const resampler = new Resampler(toRate);
  try {
    return await resampler.resample(samples, fromRate);
  } finally {
    await resampler.close();
  }
}

/** The first `window` samples, zero-padded at the end when shorter. */
export function fitWindow(samples: Float32Array, window: number): Float32Array {
  if (samples.length === window) return samples;
  const out = new Float32Array(window);
  out.set(samples.length > window ? samples.subarray(0, window) : samples);
  return out;
}

/** Decode, downmix, resample and fit one WAV file into the model's window. */
export async function wavToWindow(bytes: Buffer, file: string, resampler: Resampler, window: number): Promise<Float32Array> {
  const wav = decodeWav(bytes, file);
  return fitWindow(await resampler.resample(wav.samples, wav.sampleRate), window);
}

export interface AudioEntry {
  /** Path relative to the dataset folder; the sample id. */
  id: string;
  file: string;
  label?: number;
}

export interface AudioListing {
  entries: AudioEntry[];
  labelled: boolean;
  classes?: string[];
}

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message);
}

export function isAudio(name: string): boolean {
  return AUDIO_EXTENSIONS.has(extname(name).toLowerCase());
}

function readClasses(dir: string): string[] | undefined {
  const file = join(dir, 'classes.txt');
  if (!existsSync(file)) return undefined;
  const classes = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (new Set(classes).size !== classes.length) throw invalid('classes.txt lists a class twice');
  return classes;
}

function csvRows(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1')));
}

/** True when the folder holds audio: .wav files at its top, or a labels.csv whose first listed file is one. */
export function looksLikeAudio(dir: string, files: string[]): boolean {
  if (files.some(isAudio)) return true;
  if (!files.includes('labels.csv')) return false;
  const rows = csvRows(join(dir, 'labels.csv'));
  const first = rows[0]?.[0] === 'file' ? rows[1] : rows[0];
  return first !== undefined && isAudio(first[0] ?? '');
}

/** The WAV files of an audio dataset folder: listed by labels.csv (`file,label`), or every top-level .wav. */
export function listAudio(dir: string): AudioListing {
  const classes = readClasses(dir);
  if (!existsSync(join(dir, 'labels.csv'))) {
    const names = visibleEntries(dir).filter((name) => isAudio(name) && statSync(join(dir, name)).isFile());
    if (names.length === 0) throw invalid('no .wav files found (expected *.wav, with labels.csv "file,label" for labels)');
    return { entries: names.map((name) => ({ id: name, file: join(dir, name) })), labelled: false, classes };
  }
  const rows = csvRows(join(dir, 'labels.csv'));
  if (rows.length > 0 && rows[0][0] === 'file') rows.shift();
  if (rows.length === 0) throw invalid('labels.csv lists no files');
  const labelled = rows.some((row) => (row[1] ?? '') !== '');
  const entries = rows.map((row, i): AudioEntry => {
    const [fileName, cell = ''] = row;
    const where = `labels.csv line ${i + 2} (${fileName})`;
    const segments = safeEntryPath(fileName);
    const file = join(dir, ...segments);
    if (!isAudio(fileName)) throw invalid(`${where}: not a .wav file`);
    if (!existsSync(file) || !statSync(file).isFile()) throw invalid(`${where}: file not found`);
    const id = segments.join('/');
    if (!labelled) return { id, file };
    if (cell === '') throw invalid(`${where}: no label while other lines have one; label every line or none`);
    if (classes) {
      const named = classes.indexOf(cell);
      if (named >= 0) return { id, file, label: named };
      if (/^\d+$/.test(cell) && Number(cell) < classes.length) return { id, file, label: Number(cell) };
      throw invalid(`${where}: label ${JSON.stringify(cell)} is not in classes.txt (${classes.join(', ')})`);
    }
    if (!/^\d+$/.test(cell)) {
      throw invalid(`${where}: label ${JSON.stringify(cell)} is a name, but there is no classes.txt giving the class order; add one`);
    }
    return { id, file, label: Number(cell) };
  });
  return { entries, labelled, classes };
}

/** The window (samples) a model input takes: the last dim of its shape, which must be fixed. */
export function modelWindow(spec: AudioPreprocessSpec, input?: TensorSpec): number {
  if (spec.window !== null) return spec.window;
  const last = input?.shape?.[input.shape.length - 1];
  if (typeof last === 'number' && last > 0) return last;
  throw new TierwiseError(
    'DATASET_MISMATCH',
    `the model input ${input?.name ?? '?'} has no fixed sample count ([${(input?.shape ?? []).join(',')}]): give preprocess.window`,
  );
}

/** Tensor dims for one window: the model input's rank with every leading dim 1 ([1, n] or [1, 1, n]). */
function windowDims(window: number, input?: TensorSpec): number[] {
  const rank = input?.shape?.length ?? 2;
  return [...Array<number>(Math.max(1, rank - 1)).fill(1), window];
}

export async function loadAudioSamples(
  entries: AudioEntry[],
  spec: AudioPreprocessSpec,
  modelInputs?: TensorSpec[],
): Promise<DatasetSample[]> {
  const input = spec.input ? modelInputs?.find((m) => m.name === spec.input) : modelInputs?.[0];
  const inputName = spec.input ?? input?.name ?? 'audio';
  const window = modelWindow(spec, input);
  const dims = windowDims(window, input);
  const samples: DatasetSample[] = [];
  const resampler = new Resampler(spec.sampleRate);
  try {
    for (const entry of entries) {
      const bytes = await readFile(entry.file);
      const data = await wavToWindow(bytes, entry.id, resampler, window);
      const tensor: InputTensor = { type: 'float32', dims, data };
      samples.push({ id: entry.id, label: entry.label, payloadBytes: bytes.length, inputs: { [inputName]: tensor } });
    }
  } finally {
    await resampler.close();
  }
  return samples;
}
