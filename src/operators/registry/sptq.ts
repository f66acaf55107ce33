import { TierwiseError } from '../../common/errors';
import { quantizeAccuracyAware, quantizeStatic, top1Accuracy, type StaticConfig } from '../quantization';
import type { CalibrationMethod } from '../quantization/ranges';
import { TOLERANCES, verifyModel } from '../verify';
import { stringList, type Operator } from './operator';

/**
 * Static int8 (QDQ) from calibration samples. Params: `method` (minmax | percentile | entropy), `perChannel`,
 * `percentile`, `exclude` (node names kept in float). With `accuracyAware` and `maxDrop` and labelled evaluation
 * samples, the search over calibrations and per-node exclusions returns the fastest configuration within the drop.
 */
export const sptq: Operator = {
  name: 'sptq',
  needs: (params) => (params.accuracyAware ? ['calibration', 'evaluation', 'feeds'] : ['calibration']),
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
      return {
        bytes: result.bytes,
        report: { calibrationSamples: calibration.length, baselineAccuracy: baseline, chosen: result.chosen, trials: result.trials },
      };
    }
    const config: StaticConfig = {
      method: (params.method as CalibrationMethod | undefined) ?? 'minmax',
      perChannel: params.perChannel !== false,
      ...(params.percentile !== undefined ? { percentile: Number(params.percentile) } : {}),
      ...(params.exclude !== undefined ? { exclude: stringList(params.exclude, 'sptq exclude') } : {}),
    };
    const model = await quantizeStatic(bytes, calibration, config);
    return { bytes: model.bytes, report: { calibrationSamples: calibration.length, config, nodesQuantized: model.quantizedNodes.length } };
  },
};
