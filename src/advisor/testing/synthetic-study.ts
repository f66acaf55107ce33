import { seededRandom } from '../random';
import type { StudyInput, Tier, TierMeasurement, VariantInfo } from '../types';

/**
 * Study inputs shaped like the paper's tables (PAPER.md), with sample arrays drawn from a seeded RNG so the
 * advisor's tests run on realistic distributions without a benchmark: log-normal around the paper's medians.
 */

export function logNormalSamples(medianMs: number, n: number, seed: number, spread = 0.05): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const u = 1 - random();
    const v = random();
    const gaussian = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return medianMs * Math.exp(spread * gaussian);
  });
}

let nextSeed = 1000;
function measured(
  variantId: string,
  tier: Tier,
  medianMs: number,
  peakMemoryBytes: number,
  n: number,
  part: TierMeasurement['part'] = 'whole',
  cut?: string,
): TierMeasurement {
  return { variantId, tier, part, ...(cut ? { cut } : {}), samplesMs: logNormalSamples(medianMs, n, nextSeed++), peakMemoryBytes };
}

const MB = 1e6;

/** BERT-base on MRPC (F1): medians in seconds from PAPER.md's table, read as compute time; tiny text payloads. */
export function bertStudy(samples = 200): StudyInput {
  nextSeed = 1000;
  const variants: VariantInfo[] = [
    { id: 'bert', operators: [], label: 'fp32 model', sizeBytes: 438 * MB, accuracy: { value: 90.42, low: 89.6, high: 91.2 } },
    {
      id: 'bert-sptq',
      operators: ['sptq'],
      label: 'int8-quantized model',
      sizeBytes: 111 * MB,
      accuracy: { value: 89.63, low: 88.8, high: 90.4 },
    },
    {
      id: 'bert-qat',
      operators: ['qat'],
      label: 'quantization-aware-trained model',
      sizeBytes: 111 * MB,
      accuracy: { value: 88.89, low: 88.0, high: 89.7 },
    },
    {
      id: 'bert-pruned',
      operators: ['pruned'],
      label: 'pruned model',
      sizeBytes: 438 * MB,
      accuracy: { value: 88.62, low: 87.7, high: 89.5 },
    },
    {
      id: 'bert-distilled',
      operators: ['distilled'],
      label: 'distilled model',
      sizeBytes: 116 * MB,
      accuracy: { value: 88.29, low: 87.4, high: 89.1 },
    },
    {
      id: 'bert-dsptq',
      operators: ['distilled', 'sptq'],
      label: 'distilled model with int8 quantization',
      sizeBytes: 29 * MB,
      accuracy: { value: 88.17, low: 87.3, high: 89.0 },
    },
  ];
  const seconds: Record<string, [number, number, number]> = {
    bert: [5.18, 2.69, 0.7],
    'bert-sptq': [3.8, 1.41, 0.28],
    'bert-qat': [3.9, 1.61, 0.51],
    'bert-pruned': [5.17, 2.7, 0.7],
    'bert-distilled': [1.19, 0.7, 0.29],
    'bert-dsptq': [0.81, 0.4, 0.1],
  };
  const measurements: TierMeasurement[] = [];
  for (const variant of variants) {
    const memory = variant.sizeBytes * 1.3 + 60 * MB;
    (['mobile', 'edge', 'cloud'] as Tier[]).forEach((tier, i) =>
      measurements.push(measured(variant.id, tier, seconds[variant.id][i] * 1000, memory, samples)),
    );
  }
  // The study cut BERT after the embeddings: the head is cheap, the tail carries the encoder (3.00 s in total).
  measurements.push(measured('bert', 'mobile', 300, 200 * MB, samples, 'head', 'embeddings'));
  measurements.push(measured('bert', 'edge', 2690, 500 * MB, samples, 'tail', 'embeddings'));
  return {
    baselineVariantId: 'bert',
    variants,
    measurements,
    // An MRPC pair as token ids (1×128 int64 × 3 inputs), two logits back, the 1×128×768 fp32 embedding output.
    payloads: { requestBytes: 3 * 128 * 8, responseBytes: 8, cutBytes: { embeddings: 128 * 768 * 4 } },
  };
}

/**
 * WideResNet-101-shaped image study: a 1.5 MB JPEG request, the layer3 cut tensor (1×1024×14×14 fp32),
 * and a fast (GPU-class) cloud whose advantage the 1 Mbps edge–cloud link erases.
 */
export function wrnStudy(samples = 200): StudyInput {
  nextSeed = 5000;
  const variants: VariantInfo[] = [
    { id: 'wrn', operators: [], label: 'fp32 model', sizeBytes: 505 * MB, accuracy: { value: 82.52, low: 82.2, high: 82.8 } },
    {
      id: 'wrn-sptq',
      operators: ['sptq'],
      label: 'int8-quantized model',
      sizeBytes: 127 * MB,
      accuracy: { value: 82.15, low: 81.8, high: 82.5 },
    },
    {
      id: 'wrn-dsptq',
      operators: ['distilled', 'sptq'],
      label: 'distilled model with int8 quantization',
      sizeBytes: 69 * MB,
      accuracy: { value: 81.18, low: 80.8, high: 81.5 },
    },
  ];
  const ms: Record<string, [number, number, number]> = {
    wrn: [8940, 5640, 400],
    'wrn-sptq': [10670, 3480, 250],
    'wrn-dsptq': [5590, 2100, 150],
  };
  const measurements: TierMeasurement[] = [];
  for (const variant of variants) {
    (['mobile', 'edge', 'cloud'] as Tier[]).forEach((tier, i) =>
      measurements.push(measured(variant.id, tier, ms[variant.id][i], variant.sizeBytes * 1.3, samples)),
    );
  }
  measurements.push(measured('wrn', 'mobile', 6700, 400 * MB, samples, 'head', 'layer3'));
  measurements.push(measured('wrn', 'edge', 1200, 200 * MB, samples, 'tail', 'layer3'));
  return {
    baselineVariantId: 'wrn',
    variants,
    measurements,
    payloads: { requestBytes: 1.5 * MB, responseBytes: 4000, cutBytes: { layer3: 1024 * 14 * 14 * 4 } },
  };
}
