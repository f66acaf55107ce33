import type { DatasetSample } from '../../datasets/formats/types';
import { TierwiseError } from '../../common/errors';
import { batchInputs, openSession, toFeeds } from '../../onnx/runtime';
import { saveModel } from '../../onnx/model-io';
import type { CalibrationOptions } from './calibration';
import { medianLatencyMs } from './latency';
import type { CalibrationMethod } from './ranges';
import { buildStatic, calibrateModel, type CalibratedModel, type StaticConfig } from './static-int8';

export interface AccuracyAwareOptions extends CalibrationOptions {
  /** Scores a candidate model; higher is better, in points (e.g. top-1 %). */
  evaluate: (modelBytes: Uint8Array) => Promise<number>;
  /** The fp32 model's score from the same `evaluate`. */
  baseline: number;
  /** Largest tolerated drop in points. */
  maxDrop: number;
  maxTrials?: number;
  methods?: CalibrationMethod[];
  /** Samples used to rank node sensitivity (defaults to the first 16 calibration samples). */
  sensitivitySamples?: number;
  /**
   * A last check a passing trial must also pass to be chosen (the build's fidelity verification): the fastest
   * accepted one wins. Without it a trial chosen for its timing alone could fail that check on one run and not another.
   */
  accept?: (modelBytes: Uint8Array) => Promise<boolean>;
}

export interface Trial {
  index: number;
  method: CalibrationMethod;
  perChannel: boolean;
  excluded: string[];
  nodesQuantized: number;
  accuracy: number;
  drop: number;
  passed: boolean;
  latencyMs?: number;
  /** false when it passed on accuracy but not the caller's `accept` check. */
  accepted?: boolean;
}

export interface AccuracyAwareResult {
  bytes?: Uint8Array;
  chosen?: Trial;
  trials: Trial[];
  /** Nodes by decreasing sensitivity, with the output error each causes when it alone is quantized. */
  sensitivity: Array<{ node: string; error: number }>;
  /** The calibration every trial was built from (a later latency-aware placement rebuilds from it). */
  calibrated: CalibratedModel;
}

/**
 * The study's accuracy-aware SPTQ: try calibrations and per-channel/per-tensor; if none is within `maxDrop`,
 * keep the most sensitive nodes in fp32 (1, 2, 4, … of them) with the best configuration so far; stop at the
 * trial budget. Every passing trial is timed and the fastest is returned, not merely the first.
 */
export async function quantizeAccuracyAware(
  modelBytes: Uint8Array,
  samples: DatasetSample[],
  options: AccuracyAwareOptions,
): Promise<AccuracyAwareResult> {
  const calibrated = await calibrateModel(modelBytes, samples, options);
  const maxTrials = options.maxTrials ?? 8;
  const trials: Trial[] = [];
  const built = new Map<number, Uint8Array>();
  const run = async (config: StaticConfig): Promise<Trial> => {
    const model = buildStatic(calibrated, config);
    const accuracy = await options.evaluate(model.bytes);
    const drop = options.baseline - accuracy;
    const trial: Trial = {
      index: trials.length,
      method: config.method,
      perChannel: config.perChannel,
      excluded: config.exclude ?? [],
      nodesQuantized: model.quantizedNodes.length,
      accuracy,
      drop,
      passed: drop <= options.maxDrop,
    };
    trials.push(trial);
    built.set(trial.index, model.bytes);
    return trial;
  };
  const configs: StaticConfig[] = [
    ...(options.methods ?? ['minmax', 'percentile', 'entropy']).map((method) => ({ method, perChannel: true })),
    { method: 'minmax', perChannel: false },
  ];
  for (const config of configs) if (trials.length < maxTrials) await run(config);
  let sensitivity: Array<{ node: string; error: number }> = [];
  if (!trials.some((t) => t.passed) && trials.length < maxTrials) {
    const best = trials.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
    sensitivity = await rankSensitivity(calibrated, samples.slice(0, options.sensitivitySamples ?? 16), {
      method: best.method,
      perChannel: best.perChannel,
    });
    for (let count = 1; trials.length < maxTrials && count < sensitivity.length; count *= 2) {
      const trial = await run({
        method: best.method,
        perChannel: best.perChannel,
        exclude: sensitivity.slice(0, count).map((s) => s.node),
      });
      if (trial.passed) break;
    }
  }
  const passing = trials.filter((t) => t.passed);
  if (passing.length === 0) return { trials, sensitivity, calibrated };
  for (const trial of passing) trial.latencyMs = await medianLatencyMs(built.get(trial.index)!, samples[0].inputs, 40);
  const byLatency = [...passing].sort((a, b) => a.latencyMs! - b.latencyMs!);
  for (const trial of byLatency) {
    if (options.accept && !(await options.accept(built.get(trial.index)!))) {
      trial.accepted = false;
      continue;
    }
    return { bytes: built.get(trial.index), chosen: trial, trials, sensitivity, calibrated };
  }
  return { trials, sensitivity, calibrated };
}

/**
 * Per-node sensitivity: quantize that node alone (all others fp32) and measure the mean squared change of the
 * model's first output against fp32 on a few samples, relative to the output's own mean square.
 */
export async function rankSensitivity(
  calibrated: CalibratedModel,
  samples: DatasetSample[],
  config: StaticConfig,
): Promise<Array<{ node: string; error: number }>> {
  if (samples.length === 0) throw new TierwiseError('CALIBRATION_EMPTY', 'no samples to measure node sensitivity on');
  const feeds = toFeeds(batchInputs(samples.map((s) => s.inputs)));
  const outputOf = async (bytes: Uint8Array): Promise<Float32Array> => {
    const session = await openSession(bytes, { optimization: 'basic' });
    try {
      const result = await session.run(feeds);
      return result[session.outputNames[0]].data as Float32Array;
    } finally {
      await session.release();
    }
  };
  const reference = await outputOf(saveModel(calibrated.model));
  const power = reference.reduce((a, v) => a + v * v, 0) / reference.length || 1;
  const ranked: Array<{ node: string; error: number }> = [];
  for (const node of calibrated.candidates) {
    const only = buildStatic(calibrated, { ...config, exclude: calibrated.candidates.filter((c) => c !== node) });
    const out = await outputOf(only.bytes);
    let se = 0;
    for (let i = 0; i < out.length; i++) se += (out[i] - reference[i]) ** 2;
    ranked.push({ node, error: se / out.length / power });
  }
  return ranked.sort((a, b) => b.error - a.error);
}
