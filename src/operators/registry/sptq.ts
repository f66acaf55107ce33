import { TierwiseError } from '../../common/errors';
import {
  buildStatic,
  calibrateModel,
  placeLatencyAware,
  quantizeAccuracyAware,
  top1Accuracy,
  type CalibratedModel,
  type LatencyPlacement,
  type StaticConfig,
  weightsFor,
} from '../quantization';
import type { InputTensor } from '../../onnx/io-spec';
import type { CalibrationMethod } from '../quantization/ranges';
import { TOLERANCES, verifyModel } from '../verify';
import { stringList, type Operator } from './operator';

/**
 * Static int8 (QDQ) from calibration samples. Params: `method` (minmax | percentile | entropy), `perChannel`,
 * `percentile`, `exclude` (node names kept in float). With `accuracyAware` and `maxDrop` and labelled evaluation
 * samples, the search over calibrations and per-node exclusions returns the fastest configuration within the drop.
 * With `latencyAware` (the study's default) the chosen configuration is then timed against the float model at
 * `threads` (default 1; `latencyMargin` is the gain a group kept in fp32 must show, default 0.03; `minSpeedup` the fp32/int8 ratio int8 must reach, default 1), groups of nodes where int8 loses are kept in fp32 (listed in the report with the timings
 * that decided it), and when no placement beats the float model the build is refused with INT8_NOT_FASTER.
 */
export const sptq: Operator = {
  name: 'sptq',
  needs: (params) =>
    params.accuracyAware ? ['calibration', 'evaluation', 'feeds'] : params.latencyAware ? ['calibration', 'feeds'] : ['calibration'],
  tolerance: TOLERANCES.int8,
  async apply(bytes, params, ctx) {
    const calibration = ctx.calibration;
    if (!calibration?.length) throw new TierwiseError('CHAIN_CONTEXT_MISSING', 'sptq needs calibration samples in the operator context');
    const maxDrop = params.maxDrop as number | null | undefined;
    if (params.accuracyAware && maxDrop !== null && maxDrop !== undefined && ctx.evaluation?.length) {
      const evaluation = ctx.evaluation;
      const baseline = await top1Accuracy(bytes, evaluation);
      // A trial counts only if it also agrees with the model as every build's output must (verify.ts).
      const feeds = ctx.feeds;
      const accept = feeds?.length
        ? (candidate: Uint8Array) =>
            verifyModel('sptq', bytes, candidate, feeds, TOLERANCES.int8).then(
              () => true,
              () => false,
            )
        : undefined;
      const result = await quantizeAccuracyAware(bytes, calibration, {
        evaluate: (candidate) => top1Accuracy(candidate, evaluation),
        baseline,
        maxDrop,
        accept,
      });
      if (!result.bytes) {
        const best = Math.min(...result.trials.map((t) => t.drop));
        throw new TierwiseError(
          'SPTQ_TOLERANCE_UNMET',
          `no static int8 configuration stays within ${maxDrop} points (best drop ${best.toFixed(2)} in ${result.trials.length} trials)`,
          { trials: result.trials },
        );
      }
      const chosen = result.chosen!;
      const chosenConfig: StaticConfig = { method: chosen.method, perChannel: chosen.perChannel, exclude: chosen.excluded };
      const latency = params.latencyAware
        ? await latencyPass(bytes, result.calibrated, chosenConfig, params, ctx.feeds?.[0] ?? calibration[0].inputs)
        : undefined;
      return {
        bytes: latency?.bytes ?? result.bytes,
        report: {
          calibrationSamples: calibration.length,
          baselineAccuracy: baseline,
          chosen: result.chosen,
          trials: result.trials,
          weights: weightsFor(chosenConfig.weightType),
          ...(latency ? { latency: latency.placement } : {}),
        },
      };
    }
    const config: StaticConfig = {
      method: (params.method as CalibrationMethod | undefined) ?? 'minmax',
      perChannel: params.perChannel !== false,
      ...(params.percentile !== undefined ? { percentile: Number(params.percentile) } : {}),
      ...(params.exclude !== undefined ? { exclude: stringList(params.exclude, 'sptq exclude') } : {}),
    };
    const calibrated = await calibrateModel(bytes, calibration);
    const model = buildStatic(calibrated, config);
    const latency = params.latencyAware
      ? await latencyPass(bytes, calibrated, config, params, ctx.feeds?.[0] ?? calibration[0].inputs)
      : undefined;
    return {
      bytes: latency?.bytes ?? model.bytes,
      report: {
        calibrationSamples: calibration.length,
        config: latency?.placement.config ?? config,
        weights: model.weights,
        nodesQuantized: model.quantizedNodes.length - (latency?.placement.keptFloat.reduce((n, k) => n + k.nodes.length, 0) ?? 0),
        ...(latency ? { latency: latency.placement } : {}),
      },
    };
  },
};

/** The latency-aware pass; throws INT8_NOT_FASTER (with the timings) when no placement beats the float model. */
async function latencyPass(
  fp32: Uint8Array,
  calibrated: CalibratedModel,
  config: StaticConfig,
  params: Record<string, unknown>,
  inputs: Record<string, InputTensor>,
): Promise<{ bytes: Uint8Array; placement: LatencyPlacement }> {
  const threads = params.threads === undefined ? 1 : Number(params.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new TierwiseError('CHAIN_PARAMS_INVALID', `sptq threads must be a positive integer, got ${String(params.threads)}`);
  const margin = params.latencyMargin === undefined ? undefined : Number(params.latencyMargin);
  if (margin !== undefined && !(margin >= 0))
    throw new TierwiseError('CHAIN_PARAMS_INVALID', `sptq latencyMargin must be >= 0, got ${String(params.latencyMargin)}`);
  const minSpeedup = params.minSpeedup === undefined ? undefined : Number(params.minSpeedup);
  if (minSpeedup !== undefined && !(minSpeedup > 0))
    throw new TierwiseError('CHAIN_PARAMS_INVALID', `sptq minSpeedup must be > 0, got ${String(params.minSpeedup)}`);
  const result = await placeLatencyAware(fp32, calibrated, config, { inputs, threads, margin, minSpeedup });
  const p = result.placement;
  if (p.outcome === 'not-faster') {
    throw new TierwiseError(
      'INT8_NOT_FASTER',
      `static int8 is not faster than the float model at ${threads} thread(s): best placement ${p.chosenMs.toFixed(3)} ms vs ${p.fp32Ms.toFixed(3)} ms (x${p.speedup.toFixed(3)}, rounds ${p.speedupSpread.map((x) => x.toFixed(3)).join('-')}; fully quantized ${p.fullInt8Ms.toFixed(3)} ms${p.keptFloat.length ? `; kept in fp32: ${p.keptFloat.map((k) => k.group).join(', ')}` : ''}): keep the float form`,
      { latency: p },
    );
  }
  return result;
}
