/**
 * Child process: applies one operator to a model file and writes the result. Builds run here, not in the worker,
 * so calibration, graph rewriting and partition profiling never block a worker's event loop and a model that
 * crashes onnxruntime takes down only this process.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childMain } from '../child-process';
import { TierwiseError, isTierwiseError } from '../../common/errors';
import type { InputTensor } from '../../onnx/io-spec';
import { describeModel } from '../../onnx/describe';
import { loadDataset } from '../../datasets/formats';
import type { DatasetSample } from '../../datasets/formats/types';
import { prepareForQuantization, quantizeAccuracyAware, quantizeDynamic, quantizeStatic, top1Accuracy } from '../../operators/quantization';
import { TOLERANCES, verifyModel } from '../../operators/verify';
import { buildFeeds } from '../../operators/build/build-feeds';
import type { BuildRequest, BuildResult } from '../../operators/build/build-request';
import { buildPartition } from '../../operators/build/partition-build';
import { otherOperators } from '../../operators/build/other-operators';

async function samples(request: BuildRequest, limit: number): Promise<DatasetSample[]> {
  if (!request.dataset) throw new TierwiseError('CALIBRATION_EMPTY', `${request.step.operator} needs a dataset to calibrate on`, 422);
  const modelInputs = describeModel(await readFile(request.parentPath)).inputs;
  const { path, kind, preprocess } = request.dataset;
  return (await loadDataset(path, { kind, preprocess, modelInputs, limit })).samples;
}

async function sptq(request: BuildRequest, parent: Uint8Array, feeds: Array<Record<string, InputTensor>>): Promise<{ bytes: Uint8Array; report: Record<string, unknown> }> {
  const params = request.step.params as { method?: 'minmax' | 'percentile' | 'entropy'; perChannel?: boolean; accuracyAware?: boolean; maxDrop?: number | null };
  const calibration = await samples(request, request.calibrationLimit);
  if (params.accuracyAware && params.maxDrop !== null && params.maxDrop !== undefined && request.dataset?.labelled) {
    const evalSamples = await samples(request, request.evalLimit);
    const baseline = await top1Accuracy(parent, evalSamples);
    const result = await quantizeAccuracyAware(parent, calibration, {
      evaluate: (bytes) => top1Accuracy(bytes, evalSamples),
      baseline,
      maxDrop: params.maxDrop,
      // Only a trial the build's own verification will pass may be chosen.
      accept: (bytes) =>
        verifyModel('sptq', parent, bytes, feeds, TOLERANCES.int8).then(
          () => true,
          (error: unknown) => {
            if (isTierwiseError(error) && error.code === 'ENGINE_OUTPUT_DISAGREES') return false;
            throw error;
          },
        ),
    });
    if (!result.bytes) {
      const best = Math.min(...result.trials.map((t) => t.drop));
      const rejected = result.trials.filter((t) => t.accepted === false).length;
      throw new TierwiseError('SPTQ_TOLERANCE_UNMET', `no static int8 configuration stays within ${params.maxDrop} points${rejected ? ` and the int8 fidelity tolerance (${rejected} within the drop disagreed with the original)` : ''} (best drop ${best.toFixed(2)} in ${result.trials.length} trials)`, 422, { trials: result.trials });
    }
    return { bytes: result.bytes, report: { calibrationSamples: calibration.length, baselineAccuracy: baseline, chosen: result.chosen, trials: result.trials } };
  }
  const config = { method: params.method ?? 'minmax', perChannel: params.perChannel ?? true };
  const model = await quantizeStatic(parent, calibration, config);
  return { bytes: model.bytes, report: { calibrationSamples: calibration.length, config, nodesQuantized: model.quantizedNodes.length } };
}

async function build(request: BuildRequest): Promise<BuildResult> {
  const parent = await readFile(request.parentPath);
  const modelFile = join(request.outDir, 'model.onnx');
  const { operator } = request.step;
  if (operator === 'partition') return buildPartition(request, modelFile);
  let built: { bytes: Uint8Array; report: Record<string, unknown> };
  const feeds = await buildFeeds(request, parent);
  if (operator === 'sptq') built = await sptq(request, parent, feeds);
  else if (operator === 'dynamic-int8') {
    const prepared = await prepareForQuantization(parent, 11, () => feeds);
    const model = quantizeDynamic(prepared.bytes);
    built = { bytes: model.bytes, report: { nodesQuantized: model.quantizedNodes.length, ...(Object.keys(prepared.preparation).length ? { preparation: prepared.preparation } : {}) } };
  } else built = await otherOperators(operator, parent, request);
  // Nothing unchecked leaves a build: the written model runs against its parent on sample inputs first.
  const tolerance = operator === 'prune' || operator === 'early-exit' ? TOLERANCES[operator] : TOLERANCES.int8;
  const verification = await verifyModel(operator, parent, built.bytes, feeds, tolerance);
  await writeFile(modelFile, built.bytes);
  return { modelFile, report: { operator, params: request.step.params, ...built.report, verification } };
}

childMain(build);
