import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-errors';
import { evaluateIsolated, evaluateRequest, type EvaluationReport, type EvaluationRequest, type MetricValue } from '../../evaluation';

interface EvalOptions {
  dataset: string;
  preprocess?: string;
  baseline?: string;
  task?: string;
  postprocess?: string;
  json?: boolean;
  batchSize?: string;
  limit?: string;
  threads?: string;
  isolated?: boolean;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new CliError('CLI_INVALID', `${flag} must be a positive integer, not ${value}`);
  return parsed;
}

function percent(metric: MetricValue): string {
  return `${(metric.value * 100).toFixed(2)}%  [${(metric.low * 100).toFixed(1)}, ${(metric.high * 100).toFixed(1)}]  n=${metric.n}`;
}

function plain(metric: MetricValue, digits = 4): string {
  return `${metric.value.toFixed(digits)}  [${metric.low.toFixed(digits)}, ${metric.high.toFixed(digits)}]  n=${metric.n}`;
}

function describeTask(report: EvaluationReport, lines: string[]): void {
  const t = report.taskMetrics;
  if (t?.detection) {
    lines.push(`mAP@0.5          ${plain(t.detection.map50)}`, `mAP@[.5:.95]     ${plain(t.detection.map5095)}`);
    lines.push(
      `mAP@0.75         ${t.detection.map75.toFixed(4)}   AR@100 ${t.detection.ar100.toFixed(4)}   ${t.detection.detections} boxes kept`,
    );
  }
  if (t?.segmentation)
    lines.push(`mIoU             ${plain(t.segmentation.miou)}`, `pixel accuracy   ${plain(t.segmentation.pixelAccuracy)}`);
  if (t?.sequence) {
    lines.push(`CER              ${plain(t.sequence.cer)}`, `WER              ${plain(t.sequence.wer)}`);
    lines.push(`exact match      ${percent(t.sequence.exactMatch)}`);
  }
}

/** --postprocess: inline JSON or a .json file. */
function readPostprocess(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const text = value.trim().startsWith('{') ? value : readFileSync(resolve(value), 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError('CLI_INVALID', `--postprocess must be JSON or a JSON file, not ${value}`);
  }
}

function describe(report: EvaluationReport): string {
  const lines = [
    `samples          ${report.n}${report.labelled ? '' : ' (unlabelled)'}`,
    `task             ${report.task}${report.taskGuessed ? ` (guessed: ${report.taskReason}; set --task to choose)` : ''}`,
    `scored output    ${report.output}${report.classCount ? ` (${report.classCount} classes)` : ''}`,
  ];
  describeTask(report, lines);
  const metrics = report.metrics;
  if (metrics) {
    lines.push(`top-1            ${percent(metrics.top1)}`);
    if (metrics.top5) lines.push(`top-5            ${percent(metrics.top5)}`);
    if (metrics.f1) lines.push(`F1 (class 1)     ${percent(metrics.f1)}`);
    lines.push(`macro-F1         ${percent(metrics.macroF1)}`);
  }
  const fidelity = report.fidelity;
  if (fidelity) {
    if (fidelity.top1Agreement) lines.push(`top-1 agreement  ${percent(fidelity.top1Agreement)}`);
    lines.push(`mean abs. error  ${fidelity.meanAbsoluteError.toPrecision(4)}`, `cosine sim.      ${fidelity.cosineSimilarity.toFixed(6)}`);
    if (fidelity.iou !== undefined && report.task === 'classification') lines.push(`mask IoU         ${fidelity.iou.toFixed(4)}`);
    if (fidelity.primary) lines.push(`fidelity         ${fidelity.primary.label}: ${plain(fidelity.primary)}`);
  }
  if (report.primary) lines.push(`primary metric   ${report.primary.label}: ${plain(report.primary)}`);
  for (const assumption of report.assumptions ?? []) lines.push(`assumed          ${assumption}`);
  lines.push(
    `payload / sample ${report.payload.meanPayloadBytes.toFixed(1)} B encoded, ${report.payload.meanInputBytes.toFixed(0)} B input tensors`,
    `time             ${(report.durationMs / 1000).toFixed(2)} s (inference ${(report.inferenceMs / 1000).toFixed(2)} s, batch ${report.batchSize})`,
  );
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('accuracy of an ONNX model on a labelled dataset, and fidelity to a baseline model')
    .argument('<model>', 'the .onnx model to evaluate')
    .requiredOption('--dataset <path>', 'a folder, .zip / .tar.gz archive, .jsonl (text) or .json (tensors)')
    .option('--preprocess <file>', 'preprocess JSON; its relative paths resolve against its folder (suggested from the model when absent)')
    .option('--baseline <model>', 'baseline .onnx model for fidelity (top-1 agreement, error, cosine, IoU)')
    .option(
      '--task <task>',
      'classification, multilabel, detection, segmentation, sequence, regression or embedding (guessed from the outputs when absent)',
    )
    .option('--postprocess <json|file>', "the task's postprocess spec (JSON inline or a file); defaults fill the rest")
    .option('--batch-size <n>', 'samples per run when the batch dimension is dynamic', '50')
    .option('--limit <n>', 'evaluate only the first n samples')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .option('--isolated', 'run in a runner child process')
    .option('--json', 'print the report as one JSON object')
    .action(async (modelPath: string, options: EvalOptions) => {
      const request: EvaluationRequest = {
        modelPath: resolve(modelPath),
        datasetPath: resolve(options.dataset),
        preprocessPath: options.preprocess ? resolve(options.preprocess) : undefined,
        baselinePath: options.baseline ? resolve(options.baseline) : undefined,
        task: options.task,
        postprocess: readPostprocess(options.postprocess),
        batchSize: positiveInt(options.batchSize, '--batch-size'),
        limit: positiveInt(options.limit, '--limit'),
        threads: positiveInt(options.threads, '--threads'),
      };
      process.stderr.write(`evaluating ${modelPath} on ${options.dataset}…\n`);
      const report = options.isolated ? await evaluateIsolated(request) : await evaluateRequest(request);
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${describe(report)}\n`);
    });
}
