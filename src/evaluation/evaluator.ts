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
import { cosine, fidelity, type FidelityReport } from './fidelity';
import { classificationMetrics, type ClassificationMetrics } from './metrics';
import { classCountOf, openEvaluationModel, runModel, type EvaluationModel } from './model-runner';
import { bootstrapped } from './tasks/stats';
import { scoreTask, taskFidelity, type PrimaryMetric, type TaskMetrics } from './tasks/score';
import { guessTask, isTask, parsePostprocess, TASKS, type Postprocess, type SequencePostprocess, type Task } from './tasks/task';

export interface EvaluationReport {
  n: number;
  labelled: boolean;
  /** The task the outputs were decoded and scored as. */
  task: Task;
  /** True when the task was guessed from the outputs (no task was given); `taskReason` says why. */
  taskGuessed: boolean;
  taskReason?: string;
  /** The postprocess spec used, defaults filled. */
  postprocess: Postprocess;
  /** Labelled metrics of detection / segmentation / sequence models. */
  taskMetrics?: TaskMetrics;
  /** The labelled figure a study ranks by (top-1, mAP@0.5, mIoU, 100 − CER), 0..1. */
  primary?: PrimaryMetric;
  /** Choices made without being told (box mapping, category order …). */
  assumptions?: string[];
  /** The output that was scored. */
  output: string;
  classCount?: number;
  /** Present when the samples are labelled and the output is a class-score vector. */
  metrics?: ClassificationMetrics;
  /** Present when a baseline model was given. */
  fidelity?: FidelityReport;
  /** Per sample: the encoded form's bytes (the file or text; the tensors' for a tensors dataset), the input tensors', and whether the dataset holds an encoded form. */
  payload: { meanPayloadBytes: number; meanInputBytes: number; encoded: boolean };
  batchSize: number;
  /** Wall time of the whole evaluation (dataset loading included when this module loaded it). */
  durationMs: number;
  inferenceMs: number;
}

export interface EvaluateOptions {
  baselinePath?: string;
  /** The model's task; guessed from its outputs when absent (and reported as a guess). */
  task?: string;
  /** The task's postprocess spec (validated, defaults filled). */
  postprocess?: unknown;
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

interface ResolvedTask {
  task: Task;
  postprocess: Postprocess;
  guessed: boolean;
  reason?: string;
  assumptions: string[];
}

/** The task and postprocess of a model: as given (validated), or guessed from its outputs. */
export function resolveTask(model: Pick<EvaluationModel, 'outputs'>, options: Pick<EvaluateOptions, 'task' | 'postprocess'>): ResolvedTask {
  const assumptions: string[] = [];
  let resolved: ResolvedTask;
  if (options.task !== undefined) {
    if (!isTask(options.task)) throw new TierwiseError('TASK_INVALID', `task: one of ${TASKS.join(', ')}, not ${options.task}`);
    resolved = { task: options.task, postprocess: parsePostprocess(options.task, options.postprocess), guessed: false, assumptions };
  } else {
    const guess = guessTask(model.outputs);
    const postprocess = options.postprocess === undefined ? guess.postprocess : parsePostprocess(guess.task, options.postprocess);
    resolved = { task: guess.task, postprocess, guessed: true, reason: guess.reason, assumptions };
    assumptions.push(`task ${guess.task} guessed: ${guess.reason}`);
  }
  if (resolved.task === 'sequence') {
    const spec = resolved.postprocess as SequencePostprocess;
    if (!spec.layout) {
      const output = model.outputs.find((o) => o.name === spec.output) ?? model.outputs[0];
      const shape = output?.shape ?? [];
      const timeMajor = shape.length === 3 && shape[1] === 1 && typeof shape[0] === 'number' && shape[0] > 1;
      resolved.postprocess = { ...spec, layout: timeMajor ? 'tbc' : 'btc' };
      assumptions.push(`CTC output layout ${timeMajor ? 'tbc [T, N, C]' : 'btc [N, T, C]'} read from its shape [${shape.join(',')}]`);
    }
  }
  return resolved;
}

/** Scores the output the postprocess names (else the evaluator's default); a time-major CTC output batches on axis 1. */
function applyTask(model: EvaluationModel, resolved: ResolvedTask): void {
  const wanted = (resolved.postprocess as { output?: string }).output;
  if (wanted) {
    const spec = model.outputs.find((o) => o.name === wanted);
    if (!spec)
      throw new TierwiseError(
        'POSTPROCESS_INVALID',
        `postprocess.output ${wanted}: the model has no such output (it has ${model.outputs.map((o) => o.name).join(', ')})`,
      );
    model.output = spec;
  }
  if (resolved.task === 'sequence' && (resolved.postprocess as SequencePostprocess).layout === 'tbc') model.batchAxis = 1;
}

function classificationPrimary(metrics: ClassificationMetrics): PrimaryMetric {
  return { metric: 'top1', label: 'top-1 accuracy', ...metrics.top1 };
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
  const resolved = resolveTask(model, options);
  applyTask(model, resolved);
  const classifier = resolved.task === 'classification';
  const classCount = classifier ? classCountOf(model) : undefined;
  if (classifier && dataset.labelKind && dataset.labelKind !== 'class')
    throw new TierwiseError(
      'DATASET_MISMATCH',
      `the dataset has ${dataset.labelKind} labels (${dataset.labelSource}), but the model is a classifier; set its task (e.g. --task ${dataset.labelKind === 'sequence' ? 'sequence' : dataset.labelKind})`,
      { labelKind: dataset.labelKind, task: resolved.task },
    );
  validateDatasetForModel(dataset, { inputs: model.inputs, classCount });
  if (dataset.samples.length === 0) throw new TierwiseError('DATASET_INVALID', 'the dataset holds no samples');
  const inferenceStart = performance.now();
  const outputs = await runModel(model, dataset.samples, options.batchSize);
  const inferenceMs = performance.now() - inferenceStart;
  const report: EvaluationReport = {
    n: dataset.samples.length,
    labelled: dataset.labelled,
    task: resolved.task,
    taskGuessed: resolved.guessed,
    ...(resolved.reason ? { taskReason: resolved.reason } : {}),
    postprocess: resolved.postprocess,
    output: model.output.name,
    classCount,
    payload: {
      meanPayloadBytes: mean(dataset.samples.map((s) => s.payloadBytes)),
      meanInputBytes: mean(dataset.samples.map((s) => inputTensorBytes(s.inputs))),
      encoded: dataset.kind !== 'tensors',
    },
    batchSize: outputs.batchSize,
    durationMs: 0,
    inferenceMs,
  };
  const scoring = {
    task: resolved.task,
    postprocess: resolved.postprocess,
    dataset,
    values: outputs.values,
    dims: outputs.dims,
    inputName: model.inputs[0]?.name ?? 'input',
  };
  const assumptions = [...resolved.assumptions];
  if (dataset.labelled && classCount !== undefined && (dataset.labelKind ?? 'class') === 'class') {
    report.metrics = classificationMetrics(
      outputs.values,
      dataset.samples.map((s) => s.label!),
      classCount,
    );
    report.primary = classificationPrimary(report.metrics);
  } else if (!classifier) {
    const scored = scoreTask(scoring);
    if (scored) {
      report.taskMetrics = scored.metrics;
      report.primary = scored.primary;
      assumptions.push(...scored.assumptions);
    }
  }
  if (options.baselinePath) {
    const baseline = await openEvaluationModel(options.baselinePath, options.threads, model.output.name);
    baseline.batchAxis = model.batchAxis;
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
    const perTask = classifier ? undefined : taskFidelity(scoring, reference.values);
    if (perTask) {
      report.fidelity.primary = perTask.primary;
      report.fidelity.detail = perTask.detail;
    } else if (report.fidelity.top1Agreement && classifier) {
      report.fidelity.primary = { metric: 'top1_agreement', label: 'top-1 agreement with the baseline', ...report.fidelity.top1Agreement };
    } else {
      const cosines = outputs.values.map((v, i) => cosine(v, reference.values[i]));
      const mean = bootstrapped(cosines.length, (ix) => ix.reduce((sum, i) => sum + cosines[i], 0) / Math.max(1, ix.length));
      report.fidelity.primary = { metric: 'cosine', label: "cosine similarity to the baseline's outputs", ...mean };
    }
  }
  if (assumptions.length > 0) report.assumptions = assumptions;
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
