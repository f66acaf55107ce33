import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../common/errors';
import {
  inputTensorBytes,
  loadDataset,
  parsePreprocess,
  validateDatasetForModel,
  type DatasetKind,
  type LoadedDataset,
  type PreprocessSpec,
} from '../datasets/formats';
import { fidelity, type FidelityReport } from './fidelity';
import { classificationMetrics, type ClassificationMetrics } from './metrics';
import { classCountOf, openEvaluationModel, runModel, type EvaluationModel } from './model-runner';

export interface EvaluationReport {
  n: number;
  labelled: boolean;
  /** The output that was scored. */
  output: string;
  classCount?: number;
  /** Present when the samples are labelled and the output is a class-score vector. */
  metrics?: ClassificationMetrics;
  /** Present when a baseline model was given. */
  fidelity?: FidelityReport;
  payload: { meanPayloadBytes: number; meanInputBytes: number };
  batchSize: number;
  /** Wall time of the whole evaluation (dataset loading included when this module loaded it). */
  durationMs: number;
  inferenceMs: number;
}

export interface EvaluateOptions {
  baselinePath?: string;
  batchSize?: number;
  /** onnxruntime intra-op threads; onnxruntime's default (all cores) when absent. */
  threads?: number;
}

/** Everything needed to evaluate from files: what the isolated child receives (paths, never big arrays). */
export interface EvaluationRequest extends EvaluateOptions {
  modelPath: string;
  datasetPath: string;
  kind?: DatasetKind;
  /** A preprocess JSON file; its relative paths (vocab.txt …) resolve against its own folder. */
  preprocessPath?: string;
  /** A preprocess spec given inline (canonical or fixture form); relative paths resolve against the dataset's folder. */
  preprocess?: unknown;
  limit?: number;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

async function evaluateOpened(
  model: EvaluationModel,
  dataset: LoadedDataset,
  options: EvaluateOptions,
  started: number,
): Promise<EvaluationReport> {
  const classCount = classCountOf(model);
  validateDatasetForModel(dataset, { inputs: model.inputs, classCount });
  if (dataset.samples.length === 0) throw new TierwiseError('DATASET_INVALID', 'the dataset holds no samples');
  const inferenceStart = performance.now();
  const outputs = await runModel(model, dataset.samples, options.batchSize);
  const inferenceMs = performance.now() - inferenceStart;
  const report: EvaluationReport = {
    n: dataset.samples.length,
    labelled: dataset.labelled,
    output: model.output.name,
    classCount,
    payload: {
      meanPayloadBytes: mean(dataset.samples.map((s) => s.payloadBytes)),
      meanInputBytes: mean(dataset.samples.map((s) => inputTensorBytes(s.inputs))),
    },
    batchSize: outputs.batchSize,
    durationMs: 0,
    inferenceMs,
  };
  if (dataset.labelled && classCount !== undefined) {
    report.metrics = classificationMetrics(
      outputs.values,
      dataset.samples.map((s) => s.label!),
      classCount,
    );
  }
  if (options.baselinePath) {
    const baseline = await openEvaluationModel(options.baselinePath, options.threads, model.output.name);
    validateDatasetForModel(dataset, { inputs: baseline.inputs });
    const reference = await runModel(baseline, dataset.samples, options.batchSize);
    await baseline.session.release();
    if (reference.dims.join(',') !== outputs.dims.join(',')) {
      throw new TierwiseError(
        'DATASET_MISMATCH',
        `baseline output ${baseline.output.name} has per-sample shape [${reference.dims}], the model's is [${outputs.dims}]`,
      );
    }
    report.fidelity = fidelity(outputs.values, reference.values, { dims: outputs.dims });
  }
  report.durationMs = performance.now() - started;
  return report;
}

/** Evaluates a model over loaded samples in this process (onnxruntime-node, batched when the batch dim is dynamic). */
export async function evaluateModel(modelPath: string, dataset: LoadedDataset, options: EvaluateOptions = {}): Promise<EvaluationReport> {
  const started = performance.now();
  const model = await openEvaluationModel(modelPath, options.threads);
  try {
    return await evaluateOpened(model, dataset, options, started);
  } finally {
    await model.session.release();
  }
}

export function resolvePreprocess(
  request: Pick<EvaluationRequest, 'preprocessPath' | 'preprocess' | 'datasetPath'>,
): PreprocessSpec | undefined {
  if (request.preprocessPath) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(request.preprocessPath, 'utf8'));
    } catch (error) {
      throw new TierwiseError('PREPROCESS_INVALID', `cannot read preprocess file ${request.preprocessPath}: ${(error as Error).message}`);
    }
    return parsePreprocess(raw, dirname(request.preprocessPath));
  }
  return request.preprocess === undefined ? undefined : parsePreprocess(request.preprocess, dirname(request.datasetPath));
}

/** Opens the model, loads the dataset with the model's inputs (suggesting preprocessing if none is given), evaluates. */
export async function evaluateRequest(request: EvaluationRequest): Promise<EvaluationReport> {
  const started = performance.now();
  const preprocess = resolvePreprocess(request);
  const model = await openEvaluationModel(request.modelPath, request.threads);
  try {
    const dataset = await loadDataset(request.datasetPath, {
      kind: request.kind,
      preprocess,
      modelInputs: model.inputs,
      limit: request.limit,
    });
    return await evaluateOpened(model, dataset, request, started);
  } finally {
    await model.session.release();
  }
}
