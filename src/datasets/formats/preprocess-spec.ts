import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { TierwiseError } from '../../common/errors';
import type { ElementType, TensorSpec } from '../../onnx/io-spec';

export type ImageLayout = 'NCHW' | 'NHWC';
export type ImageElementType = 'float32' | 'float64' | 'uint8' | 'int8';

/** How an encoded image becomes a model input. Pixel operations run in raw 0..255 space before scaling. */
export interface ImagePreprocessSpec {
  kind: 'images';
  /** The model input the tensor feeds; the model's only input when absent. */
  input?: string;
  layout: ImageLayout;
  channels: 1 | 3;
  /** Exact [height, width], or a number: the shorter side, aspect ratio kept. */
  resize: [number, number] | number | null;
  centerCrop: [number, number] | null;
  /** Centred constant padding up to [height, width]; larger images are left as they are. */
  padTo: [number, number] | null;
  padValue: number;
  scale: number;
  mean: number[];
  std: number[];
  dtype: ImageElementType;
}

export type TokenizerSpec =
  { type: 'wordpiece'; vocabPath: string; lowercase: boolean; stripAccents: boolean } | { type: 'huggingface'; path: string };

/** Model input names by role; only roles the model has are present. */
export interface TextInputNames {
  input_ids?: string;
  attention_mask?: string;
  token_type_ids?: string;
}

export interface TextPreprocessSpec {
  kind: 'text';
  tokenizer: TokenizerSpec;
  maxLength: number;
  /** `max_length` pads every sample to maxLength (the only form that batches on fixed-shape models). */
  padding: 'max_length';
  truncation: boolean;
  inputs: TextInputNames;
  textField: string;
  textPairField: string;
  labelField: string;
}

export interface TensorsPreprocessSpec {
  kind: 'tensors';
}

/** How a WAV file becomes a model input (see audio-dataset.ts): mono, resampled to `sampleRate`, cut / zero-padded. */
export interface AudioPreprocessSpec {
  kind: 'audio';
  /** The model input the tensor feeds; the model's only input when absent. */
  input?: string;
  /** The model's sample rate in Hz; files at other rates are resampled to it. */
  sampleRate: number;
  /** Samples per input; the last dim of the model input when null. */
  window: number | null;
}

export type PreprocessSpec = ImagePreprocessSpec | TextPreprocessSpec | TensorsPreprocessSpec | AudioPreprocessSpec;

export const DEFAULT_MAX_LENGTH = 128;
const TEXT_ROLES = ['input_ids', 'attention_mask', 'token_type_ids'] as const;

/**
 * The largest sizes a spec may ask for (PREPROCESS_MAX_IMAGE_SIDE, PREPROCESS_MAX_LENGTH; validated with the rest of
 * the configuration in src/config/env.ts). Read here from the environment because specs are parsed in the api and
 * in its children alike.
 */
export function preprocessLimits(env: NodeJS.ProcessEnv = process.env): { maxImageSide: number; maxLength: number } {
  const read = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return { maxImageSide: read('PREPROCESS_MAX_IMAGE_SIDE', 4096), maxLength: read('PREPROCESS_MAX_LENGTH', 8192) };
}

function invalid(message: string): TierwiseError {
  return new TierwiseError('PREPROCESS_INVALID', message);
}

type Raw = Record<string, unknown>;

function pick(raw: Raw, ...keys: string[]): unknown {
  for (const key of keys) if (raw[key] !== undefined) return raw[key];
  return undefined;
}

function num(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`preprocess.${name} must be a number`);
  return value;
}

function pair(value: unknown, name: string): [number, number] | null {
  if (value === undefined || value === null) return null;
  const max = preprocessLimits().maxImageSide;
  const side = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= max;
  if (typeof value === 'number' && side(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every(side)) return [value[0], value[1]];
  throw invalid(`preprocess.${name} must be a positive integer or [height, width], each at most ${max} (PREPROCESS_MAX_IMAGE_SIDE)`);
}

function perChannel(value: unknown, name: string, channels: number, fallback: number): number[] {
  const list = value === undefined || value === null ? [fallback] : Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'number' && Number.isFinite(v))) throw invalid(`preprocess.${name} must be numbers`);
  if (list.length === 1) return Array<number>(channels).fill(list[0] as number);
  if (list.length !== channels) throw invalid(`preprocess.${name} has ${list.length} values for ${channels} channels`);
  return list as number[];
}

function parseImage(raw: Raw): ImagePreprocessSpec {
  const layout = (pick(raw, 'layout') ?? 'NCHW') as string;
  if (layout !== 'NCHW' && layout !== 'NHWC') throw invalid(`preprocess.layout must be NCHW or NHWC, not ${layout}`);
  const channels = num(pick(raw, 'channels'), 'channels', 3);
  if (channels !== 1 && channels !== 3) throw invalid('preprocess.channels must be 1 or 3');
  const dtype = (pick(raw, 'dtype', 'elementType') ?? 'float32') as string;
  if (!['float32', 'float64', 'uint8', 'int8'].includes(dtype)) throw invalid(`preprocess.dtype ${dtype} is not supported`);
  const resizeRaw = pick(raw, 'resize');
  const resize = typeof resizeRaw === 'number' ? pair(resizeRaw, 'resize')![0] : pair(resizeRaw, 'resize');
  const std = perChannel(pick(raw, 'std'), 'std', channels, 1);
  if (std.some((s) => s === 0)) throw invalid('preprocess.std must not be 0');
  return {
    kind: 'images',
    input: typeof raw.input === 'string' ? raw.input : undefined,
    layout,
    channels,
    resize,
    centerCrop: pair(pick(raw, 'centerCrop', 'center_crop', 'crop'), 'centerCrop'),
    padTo: pair(pick(raw, 'padTo', 'pad_to'), 'padTo'),
    padValue: num(pick(raw, 'padValue', 'pad_value'), 'padValue', 0),
    scale: num(pick(raw, 'scale'), 'scale', 1 / 255),
    mean: perChannel(pick(raw, 'mean'), 'mean', channels, 0),
    std,
    dtype: dtype as ImageElementType,
  };
}

/**
 * A file the spec names, resolved inside `baseDir` (the dataset's own extracted folder): absolute paths, `..`,
 * NUL bytes and symbolic links leading out are refused. The message never says whether a file exists outside,
 * and never shows any content.
 */
export function insideDir(baseDir: string, path: string): string {
  const refuse = () =>
    invalid(
      `preprocess file paths must be relative paths inside the dataset archive (e.g. "vocab.txt"); "${path.slice(0, 100).replace(/[^\x20-\x7e]/g, '?')}" is not`,
    );
  if (
    path.length === 0 ||
    path.length > 1024 ||
    path.includes('\u0000') ||
    isAbsolute(path) ||
    /^[a-zA-Z]:/.test(path) ||
    path.includes('\\')
  )
    throw refuse();
  const target = resolve(baseDir, path);
  const within = (root: string, candidate: string) => {
    const rel = relative(root, candidate);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  };
  if (!within(resolve(baseDir), target)) throw refuse();
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return target; // missing inside the archive: the reader says so, naming only the relative path
  }
  let realBase: string;
  try {
    realBase = realpathSync(baseDir);
  } catch {
    realBase = resolve(baseDir);
  }
  if (!within(realBase, real)) throw refuse();
  return real;
}

function parseTokenizer(raw: Raw, baseDir: string, confined: boolean): TokenizerSpec {
  const at = (path: string): string => (confined ? insideDir(baseDir, path) : isAbsolute(path) ? path : resolve(baseDir, path));
  const nested = typeof raw.tokenizer === 'object' && raw.tokenizer !== null ? (raw.tokenizer as Raw) : undefined;
  const source = nested ?? raw;
  const type = nested ? nested.type : raw.tokenizer;
  const lowercase = pick(source, 'lowercase') !== false;
  const stripAccents = (pick(source, 'stripAccents', 'strip_accents') ?? lowercase) !== false;
  const vocab = pick(source, 'vocab', 'vocabPath');
  const file = pick(source, 'path', 'tokenizerJson', 'tokenizer_json');
  if ((type === undefined || type === 'wordpiece') && typeof vocab === 'string') {
    return { type: 'wordpiece', vocabPath: at(vocab), lowercase, stripAccents };
  }
  if ((type === undefined || type === 'huggingface') && typeof file === 'string') return { type: 'huggingface', path: at(file) };
  throw invalid('preprocess.tokenizer needs a WordPiece "vocab" file or a Hugging Face tokenizer.json "path"');
}

function parseText(raw: Raw, baseDir: string, confined: boolean): TextPreprocessSpec {
  const maxLength = num(pick(raw, 'maxLength', 'max_length'), 'maxLength', DEFAULT_MAX_LENGTH);
  const limit = preprocessLimits().maxLength;
  if (!Number.isInteger(maxLength) || maxLength < 2 || maxLength > limit)
    throw invalid(`preprocess.maxLength must be an integer from 2 to ${limit} (PREPROCESS_MAX_LENGTH)`);
  const padding = pick(raw, 'padding') ?? 'max_length';
  if (padding !== 'max_length' && padding !== true) throw invalid('preprocess.padding supports only "max_length"');
  const inputsRaw = (pick(raw, 'inputs') ?? { input_ids: 'input_ids', attention_mask: 'attention_mask' }) as Raw;
  const inputs: TextInputNames = {};
  for (const [role, name] of Object.entries(inputsRaw)) {
    if (!(TEXT_ROLES as readonly string[]).includes(role)) throw invalid(`preprocess.inputs role ${role} is unknown`);
    if (typeof name !== 'string') throw invalid(`preprocess.inputs.${role} must be an input name`);
    inputs[role as keyof TextInputNames] = name;
  }
  return {
    kind: 'text',
    tokenizer: parseTokenizer(raw, baseDir, confined),
    maxLength,
    padding: 'max_length',
    truncation: pick(raw, 'truncation') !== false,
    inputs,
    textField: String(pick(raw, 'textField', 'text_field') ?? 'text'),
    textPairField: String(pick(raw, 'textPairField', 'text_pair_field') ?? 'text_pair'),
    labelField: String(pick(raw, 'labelField', 'label_field') ?? 'label'),
  };
}

const MAX_AUDIO_RATE = 384_000;
const MAX_AUDIO_WINDOW = 10_000_000;

function parseAudio(raw: Raw): AudioPreprocessSpec {
  const rate = pick(raw, 'sampleRate', 'sample_rate');
  if (rate === undefined || rate === null)
    throw invalid("preprocess.sampleRate (the model's sample rate in Hz) is required for audio: it cannot be read from the model");
  if (!Number.isInteger(rate) || (rate as number) < 1 || (rate as number) > MAX_AUDIO_RATE)
    throw invalid(`preprocess.sampleRate must be an integer from 1 to ${MAX_AUDIO_RATE}`);
  const windowRaw = pick(raw, 'window', 'windowSamples', 'window_samples');
  if (
    windowRaw !== undefined &&
    windowRaw !== null &&
    (!Number.isInteger(windowRaw) || (windowRaw as number) < 1 || (windowRaw as number) > MAX_AUDIO_WINDOW)
  )
    throw invalid(`preprocess.window must be an integer from 1 to ${MAX_AUDIO_WINDOW} (samples)`);
  return {
    kind: 'audio',
    input: typeof raw.input === 'string' ? raw.input : undefined,
    sampleRate: rate as number,
    window: typeof windowRaw === 'number' ? windowRaw : null,
  };
}

/**
 * Reads a preprocess spec in either this module's camelCase form or the fixtures' preprocess.json form
 * (snake_case, `tokenizer: "wordpiece"` + `vocab`). Relative file paths resolve against `baseDir`. A spec from a
 * client (`untrusted`) may only name files inside `baseDir`, the dataset's own extracted folder (see `insideDir`);
 * local files (the CLI) and specs already parsed here (re-read by a child) keep their resolved paths.
 */
export function parsePreprocess(value: unknown, baseDir: string, options: { untrusted?: boolean } = {}): PreprocessSpec {
  const confined = options.untrusted === true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('preprocess must be a JSON object');
  const raw = value as Raw;
  const kind = raw.kind ?? (raw.tokenizer !== undefined || raw.vocab !== undefined ? 'text' : 'images');
  if (kind === 'images' || kind === 'image') return parseImage(raw);
  if (kind === 'text') return parseText(raw, baseDir, confined);
  if (kind === 'tensors') return { kind: 'tensors' };
  if (kind === 'audio') return parseAudio(raw);
  throw invalid(`preprocess.kind ${String(kind)} is not images, text, audio or tensors`);
}

function isTokenInput(spec: TensorSpec): boolean {
  return (TEXT_ROLES as readonly string[]).includes(spec.name) && (spec.elemType === 'int64' || spec.elemType === 'int32');
}

/** The model takes token ids (every input is input_ids / attention_mask / token_type_ids, integer). */
export function isTextModel(modelInputs: TensorSpec[]): boolean {
  return modelInputs.length > 0 && modelInputs.every(isTokenInput);
}

/**
 * A preprocess spec guessed from the model's inputs: token inputs mean text (the tokenizer is the one found
 * beside the data, passed as `tokenizer`), a rank-4 input means images (NCHW when dim 1 is 1 or 3, scaled to 0..1).
 */
export function suggestPreprocess(modelInputs: TensorSpec[], tokenizer?: TokenizerSpec): PreprocessSpec {
  if (isTextModel(modelInputs)) {
    if (!tokenizer)
      throw new TierwiseError(
        'DATASET_INVALID',
        'a text model needs a tokenizer: give a preprocess spec or put vocab.txt / tokenizer.json beside the data',
      );
    const seq = modelInputs[0].shape?.[1];
    const inputs: TextInputNames = {};
    for (const spec of modelInputs) inputs[spec.name as keyof TextInputNames] = spec.name;
    return {
      kind: 'text',
      tokenizer,
      maxLength: typeof seq === 'number' ? seq : DEFAULT_MAX_LENGTH,
      padding: 'max_length',
      truncation: true,
      inputs,
      textField: 'text',
      textPairField: 'text_pair',
      labelField: 'label',
    };
  }
  const image = modelInputs.length === 1 ? modelInputs[0] : undefined;
  const shape = image?.shape;
  if (!image || !shape || shape.length !== 4) {
    throw new TierwiseError(
      'DATASET_MISMATCH',
      `cannot suggest preprocessing for inputs ${modelInputs.map((s) => s.name).join(', ')}: give a preprocess spec`,
    );
  }
  const nchw = shape[1] === 1 || shape[1] === 3;
  const [c, h, w] = nchw ? [shape[1], shape[2], shape[3]] : [shape[3], shape[1], shape[2]];
  if ((c !== 1 && c !== 3) || typeof h !== 'number' || typeof w !== 'number') {
    throw new TierwiseError(
      'DATASET_MISMATCH',
      `input ${image.name} shape [${shape.join(',')}] is not a fixed image shape: give a preprocess spec`,
    );
  }
  const dtype = (['float32', 'float64', 'uint8', 'int8'] as ElementType[]).includes(image.elemType)
    ? (image.elemType as ImageElementType)
    : 'float32';
  return {
    kind: 'images',
    input: image.name,
    layout: nchw ? 'NCHW' : 'NHWC',
    channels: c,
    resize: [h, w],
    centerCrop: null,
    padTo: null,
    padValue: 0,
    scale: dtype === 'uint8' ? 1 : 1 / 255,
    mean: Array<number>(c).fill(0),
    std: Array<number>(c).fill(1),
    dtype,
  };
}
