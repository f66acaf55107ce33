/**
 * Child process: applies one operator to a model file and writes the result. Builds run here, not in the worker,
 * so calibration, graph rewriting and partition profiling never block a worker's event loop and a model that
 * crashes onnxruntime takes down only this process. Every operator comes from the registry (operators/registry):
 * this file only loads what the operator needs, applies it, checks what it wrote and writes the files.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childMain } from '../child-process';
import { TierwiseError } from '../../common/errors';
import { serializeSample } from '../../benchmark/inputs';
import { describeModel } from '../../onnx/describe';
import { loadDataset } from '../../datasets/formats';
import type { DatasetSample } from '../../datasets/formats/types';
import { operatorNamed, type OperatorContext, type OperatorOutput } from '../../operators/registry';
import { partitionTolerance, verifyModel, verifySplit } from '../../operators/verify';
import { loadModel } from '../../onnx';
import { recordOfTensors, type InputShapesRecord } from '../../onnx/input-spec';
import { buildFeeds } from '../../operators/build/build-feeds';
import type { BuildRequest, BuildResult } from '../../operators/build/build-request';

/** Sample inputs a searched partition measures with and feeds its tail from. */
const PARTITION_SAMPLES = 8;

/** The dataset's first samples, read and preprocessed once per build: a smaller request is a prefix of a larger one. */
let loaded: { limit: number; samples: DatasetSample[] } | undefined;

async function samples(request: BuildRequest, parent: Uint8Array, limit: number): Promise<DatasetSample[]> {
  if (!request.dataset) throw new TierwiseError('CALIBRATION_EMPTY', `${request.step.operator} needs a dataset to calibrate on`);
  if (!loaded || loaded.limit < limit) {
    const { path, kind, preprocess } = request.dataset;
    loaded = { limit, samples: (await loadDataset(path, { kind, preprocess, modelInputs: describeModel(parent).inputs, limit })).samples };
  }
  return loaded.samples.slice(0, limit);
}

/** The operator's context: exactly what it needs, from the study's dataset or, without one, its input spec. */
async function context(
  request: BuildRequest,
  parent: Uint8Array,
  needs: ReadonlySet<string>,
): Promise<{ ctx: OperatorContext; inputShapes: InputShapesRecord }> {
  const ctx: OperatorContext = { inputSpec: request.inputSpec };
  let inputShapes: InputShapesRecord | undefined;
  const evaluation = needs.has('evaluation') && request.dataset?.labelled;
  // Read the most samples any need asks for first, so the dataset is read and preprocessed once.
  const most = Math.max(needs.has('calibration') ? request.calibrationLimit : 0, evaluation ? request.evalLimit : 0);
  if (most > 0 && request.dataset) await samples(request, parent, most);
  if (needs.has('calibration')) ctx.calibration = await samples(request, parent, request.calibrationLimit);
  if (evaluation) ctx.evaluation = await samples(request, parent, request.evalLimit);
  if (request.step.operator === 'partition' && request.dataset) {
    const real = await samples(request, parent, PARTITION_SAMPLES);
    if (real.length > 0) {
      ctx.feeds = real.map((s) => s.inputs);
      inputShapes = recordOfTensors(real[0]!.inputs, 'dataset');
      ctx.partitionSearch = {
        modelPath: request.parentPath,
        network: request.network,
        effort: request.effort,
        tierProfiles: request.tierProfiles,
        requestBytes: real.reduce((sum, s) => sum + s.payloadBytes, 0) / real.length,
      };
    }
  }
  // Every build verifies what it wrote on sample inputs, so they are always there (and recorded on the variant).
  if (!ctx.feeds || !inputShapes) {
    const built = await buildFeeds(request, parent);
    ctx.feeds = built.feeds;
    inputShapes = built.inputShapes;
  }
  if (request.step.operator === 'partition')
    ctx.partitionSearch ??= {
      modelPath: request.parentPath,
      network: request.network,
      effort: request.effort,
      tierProfiles: request.tierProfiles,
    };
  return { ctx, inputShapes };
}

async function writeParts(
  request: BuildRequest,
  modelFile: string,
  out: Required<Pick<OperatorOutput, 'parts'>>,
  parent: Uint8Array,
  ctx: OperatorContext,
  inputShapes: InputShapesRecord,
): Promise<BuildResult> {
  const { head, tail, tailInputs, report } = out.parts;
  // head → tail must give the model's outputs before the split is measured or reported.
  const verification =
    report.verification ?? (await verifySplit(parent, head, tail, (ctx.feeds ?? []).slice(0, 4), partitionTolerance(loadModel(parent))));
  const tailFile = join(request.outDir, 'tail.onnx');
  await writeFile(modelFile, head);
  await writeFile(tailFile, tail);
  let tailSamplesFile: string | undefined;
  if (tailInputs) {
    tailSamplesFile = join(request.outDir, 'tail-samples.json');
    await writeFile(tailSamplesFile, JSON.stringify(tailInputs.map((inputs, i) => serializeSample(`tail-${i}`, inputs))));
  }
  return {
    modelFile,
    tailFile,
    ...(tailSamplesFile ? { tailSamplesFile } : {}),
    inputShapes,
    report: { inputShapes, operator: 'partition', params: request.step.params, ...report, verification },
  };
}

async function build(request: BuildRequest): Promise<BuildResult> {
  const parent = await readFile(request.parentPath);
  const modelFile = join(request.outDir, 'model.onnx');
  const { operator: name, params } = request.step;
  const operator = operatorNamed(name);
  const { ctx, inputShapes } = await context(request, parent, new Set(operator.needs(params)));
  const out = await operator.apply(parent, params, ctx);
  if (out.parts) return writeParts(request, modelFile, { parts: out.parts }, parent, ctx, inputShapes);
  if (!out.bytes) throw new TierwiseError('ENGINE_OUTPUT_INVALID', `${name} returned no model`);
  // Nothing unchecked leaves a build: the written model runs against its parent on sample inputs first.
  const verification = await verifyModel(name, parent, out.bytes, ctx.feeds ?? [], operator.tolerance);
  await writeFile(modelFile, out.bytes);
  return { modelFile, inputShapes, report: { operator: name, params, ...out.report, inputShapes, verification } };
}

childMain(build);
