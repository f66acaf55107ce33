import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TierwiseError } from '../../common/errors';
import { CliError } from '../cli-errors';
import { loadDataset, parsePreprocess, type LoadedDataset, type PreprocessSpec } from '../../datasets/formats';
import { describeModel } from '../../onnx/describe';
import type { InputTensor, TensorSpec } from '../../onnx/io-spec';
import { loadModel } from '../../onnx/model-io';
import type { DatasetSample } from '../../datasets/formats/types';
import { engineSampleInputs } from '../../operators/sample-inputs';
import { specFromFlags, withInputSpecFlags, type InputSpecFlags } from './input-flags';
import { TOLERANCES, verifyModel, type Verification } from '../../operators/verify';
import {
  prepareForQuantization,
  type Preparation,
  quantizeAccuracyAware,
  quantizeDynamic,
  buildStatic,
  calibrateModel,
  placeLatencyAware,
  top1Accuracy,
  type CalibratedModel,
  type CalibrationMethod,
  type LatencyPlacement,
  type StaticConfig,
  type Trial,
} from '../../operators/quantization';

interface QuantizeOptions extends InputSpecFlags {
  output: string;
  mode: string;
  calibration?: string;
  preprocess?: string;
  method: string;
  perTensor?: boolean;
  eval?: string;
  maxDrop?: string;
  samples: string;
  maxTrials: string;
  latencyAware?: boolean;
  threads?: string;
  json?: boolean;
}

const METHODS: CalibrationMethod[] = ['minmax', 'percentile', 'entropy'];

function parseNumber(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new TierwiseError('ARGUMENT_INVALID', `${flag} must be a number >= ${min}, got ${value}`);
  return n;
}

function readPreprocess(path: string | undefined): PreprocessSpec | undefined {
  if (!path) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TierwiseError('PREPROCESS_INVALID', `cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  return parsePreprocess(raw, dirname(resolve(path)));
}

async function load(
  path: string,
  preprocess: PreprocessSpec | undefined,
  modelInputs: TensorSpec[],
  limit?: number,
): Promise<LoadedDataset> {
  const pretokenized = path.endsWith('.json') && !path.endsWith('preprocess.json');
  return loadDataset(path, { preprocess: pretokenized ? undefined : preprocess, modelInputs, limit });
}

export async function runQuantize(
  modelPath: string,
  options: QuantizeOptions,
  progress: (line: string) => void,
): Promise<Record<string, unknown>> {
  const mode = options.mode;
  if (mode !== 'static' && mode !== 'dynamic') throw new TierwiseError('ARGUMENT_INVALID', `--mode must be static or dynamic, got ${mode}`);
  const method = options.method as CalibrationMethod;
  if (!METHODS.includes(method))
    throw new TierwiseError('ARGUMENT_INVALID', `--method must be one of ${METHODS.join(', ')}, got ${options.method}`);
  if (options.eval && options.maxDrop === undefined) throw new TierwiseError('ARGUMENT_INVALID', '--eval needs --max-drop <points>');
  const modelBytes = readFileSync(modelPath);
  const inputs = describeModel(modelBytes).inputs;
  const preprocess = readPreprocess(options.preprocess);
  const evalSet = options.eval ? await load(options.eval, preprocess, inputs) : undefined;
  if (evalSet && !evalSet.labelled) throw new TierwiseError('DATASET_INVALID', `${options.eval} has no labels to measure accuracy with`);
  const evaluate = (bytes: Uint8Array): Promise<number> => top1Accuracy(bytes, evalSet!.samples);
  const baseline = evalSet ? await evaluate(modelBytes) : undefined;
  let bytes: Uint8Array;
  let nodesQuantized: number;
  let trials: Trial[] = [];
  let usedMethod: CalibrationMethod | null = mode === 'static' ? method : null;
  let preparation: Preparation | undefined;
  let checkFeeds: () => Array<Record<string, import('../../onnx/io-spec').InputTensor>>;
  let calibrationSource: string | undefined;
  let latency: LatencyPlacement | undefined;
  const spec = specFromFlags(options);
  if (mode === 'dynamic') {
    checkFeeds = () => engineSampleInputs(loadModel(modelBytes), spec, 4);
    // DynamicQuantizeLinear needs opset 11: older models are converted (and checked) first; fp16 graphs go fp32.
    const prepared = await prepareForQuantization(modelBytes, 11, checkFeeds);
    preparation = prepared.preparation;
    const result = quantizeDynamic(prepared.bytes, { perChannel: !options.perTensor });
    bytes = result.bytes;
    nodesQuantized = result.quantizedNodes.length;
  } else {
    if (!options.calibration)
      throw new TierwiseError(
        'ARGUMENT_INVALID',
        '--mode static needs --calibration <dataset> (or --calibration synthetic with the input spec flags)',
      );
    const limit = parseNumber(options.samples, '--samples', 1);
    let calib: { samples: DatasetSample[] };
    if (options.calibration === 'synthetic') {
      // Ranges then come from the synthetic fills, not real data: said in the report.
      calib = {
        samples: engineSampleInputs(loadModel(modelBytes), spec, limit).map((inputs, i) => ({
          id: `synthetic-${i}`,
          inputs,
          payloadBytes: 0,
        })),
      };
      calibrationSource = 'synthetic inputs from the input spec (ranges reflect those fills, not real data)';
    } else {
      calib = await load(options.calibration, preprocess, inputs, limit);
      calibrationSource = options.calibration;
    }
    checkFeeds = () => calib.samples.slice(0, 4).map((s) => s.inputs);
    progress(`calibrating on ${calib.samples.length} samples`);
    const onProgress = (done: number, total: number): void => progress(`calibration runs ${done}/${total}`);
    if (evalSet) {
      const result = await quantizeAccuracyAware(modelBytes, calib.samples, {
        evaluate,
        baseline: baseline!,
        maxDrop: parseNumber(options.maxDrop!, '--max-drop', 0),
        onProgress,
        maxTrials: parseNumber(options.maxTrials, '--max-trials', 1),
        methods: [method, ...METHODS.filter((m) => m !== method)],
      });
      trials = result.trials;
      if (!result.bytes || !result.chosen) {
        const best = Math.max(...trials.map((t) => t.accuracy));
        throw new CliError(
          'ACCURACY_TOLERANCE_NOT_MET',
          `no quantized model is within ${options.maxDrop} points of ${baseline} after ${trials.length} trials (best ${best})`,
          { trials },
        );
      }
      bytes = result.bytes;
      nodesQuantized = result.chosen.nodesQuantized;
      usedMethod = result.chosen.method;
      if (options.latencyAware) {
        const c = result.chosen;
        const placed = await latencyStep(
          modelBytes,
          result.calibrated,
          { method: c.method, perChannel: c.perChannel, exclude: c.excluded },
          calib.samples[0].inputs,
          options,
          progress,
        );
        bytes = placed.bytes;
        latency = placed.placement;
        nodesQuantized -= latency.keptFloat.reduce((n, k) => n + k.nodes.length, 0);
      }
    } else {
      const calibrated = await calibrateModel(modelBytes, calib.samples, { onProgress });
      const config = { method, perChannel: !options.perTensor };
      const result = buildStatic(calibrated, config);
      bytes = result.bytes;
      nodesQuantized = result.quantizedNodes.length;
      preparation = result.preparation;
      if (options.latencyAware) {
        const placed = await latencyStep(modelBytes, calibrated, config, calib.samples[0].inputs, options, progress);
        bytes = placed.bytes;
        latency = placed.placement;
        nodesQuantized -= latency.keptFloat.reduce((n, k) => n + k.nodes.length, 0);
      }
    }
  }
  const verification: Verification = await verifyModel('quantize', modelBytes, bytes, checkFeeds(), TOLERANCES.int8);
  writeFileSync(options.output, bytes);
  const accuracy = evalSet ? { before: baseline, after: await evaluate(bytes), metric: 'top1' } : undefined;
  return {
    output: resolve(options.output),
    mode,
    method: usedMethod,
    nodesQuantized,
    sizeBytes: { before: modelBytes.length, after: bytes.length },
    trials,
    ...(accuracy ? { accuracy } : {}),
    ...(calibrationSource ? { calibration: calibrationSource } : {}),
    ...(latency ? { latency } : {}),
    ...(preparation && Object.keys(preparation).length ? { preparation } : {}),
    verification,
  };
}

/** --latency-aware: keep slow groups fp32; refuse with INT8_NOT_FASTER when int8 cannot beat the float model. */
async function latencyStep(
  modelBytes: Uint8Array,
  calibrated: CalibratedModel,
  config: StaticConfig,
  inputs: Record<string, InputTensor>,
  options: QuantizeOptions,
  progress: (line: string) => void,
): Promise<{ bytes: Uint8Array; placement: LatencyPlacement }> {
  const threads = parseNumber(options.threads ?? '1', '--threads', 1);
  progress(`latency-aware placement at ${threads} thread(s): timing int8 against the float model`);
  const placed = await placeLatencyAware(modelBytes, calibrated, config, { inputs, threads });
  const p = placed.placement;
  if (p.outcome === 'not-faster')
    throw new TierwiseError(
      'INT8_NOT_FASTER',
      `static int8 is not faster than the float model at ${threads} thread(s): best placement ${p.chosenMs.toFixed(3)} ms vs ${p.fp32Ms.toFixed(3)} ms (x${p.speedup.toFixed(3)}): keep the float form`,
      { latency: p },
    );
  return placed;
}

export function register(program: Command): void {
  withInputSpecFlags(
    program
      .command('quantize <model>')
      .description('int8-quantize an ONNX model: static QDQ (calibrated, optionally accuracy-aware) or dynamic')
      .requiredOption('-o, --output <file>', 'where to write the quantized model')
      .requiredOption('--mode <mode>', 'static | dynamic')
      .option(
        '--calibration <dataset>',
        'calibration data (image folder with labels.csv, JSONL text, pre-tokenized JSON), or `synthetic` (from --shape/--dim/--fill)',
      )
      .option('--preprocess <file>', 'preprocess.json for the datasets')
      .option('--method <method>', 'calibration: minmax | percentile | entropy', 'minmax')
      .option('--per-tensor', 'one scale per weight tensor instead of per output channel')
      .option('--eval <dataset>', 'labelled data for accuracy (enables accuracy-aware static quantization)')
      .option('--max-drop <points>', 'largest tolerated top-1 drop, in points')
      .option('--samples <n>', 'calibration samples to use', '100')
      .option('--max-trials <n>', 'trial budget of the accuracy-aware search', '8')
      .option('--latency-aware', 'static: time int8 against the float model, keep groups where int8 loses in fp32 (refused when none wins)')
      .option('--threads <n>', 'intra-op threads the latency-aware placement is timed at', '1')
      .option('--json', 'print one JSON object'),
  ).action(async (model: string, options: QuantizeOptions) => {
    const result = await runQuantize(model, options, (line) => process.stderr.write(`${line}\n`));
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const acc = result.accuracy as { before: number; after: number } | undefined;
      const size = result.sizeBytes as { before: number; after: number };
      process.stdout.write(
        `${result.mode} int8: ${result.nodesQuantized} nodes quantized, ${size.before} -> ${size.after} bytes` +
          `${acc ? `, top-1 ${acc.before.toFixed(2)} -> ${acc.after.toFixed(2)}` : ''}; wrote ${result.output}\n`,
      );
      const v = result.verification as Verification;
      process.stdout.write(
        `  outputs vs the original (${v.samples} samples, tolerance cosine >= ${TOLERANCES.int8.minCosine}): ${v.outputs.map((o) => `${o.name} cosine ${o.cosine.toFixed(4)}, max abs ${o.maxAbs.toExponential(2)}${o.top1Agreement === null ? '' : `, top-1 agreement ${(o.top1Agreement * 100).toFixed(1)}%`}`).join('; ')}\n`,
      );
      const lat = result.latency as LatencyPlacement | undefined;
      if (lat) {
        process.stdout.write(
          `  latency-aware at ${lat.threads} thread(s): fp32 ${lat.fp32Ms.toFixed(3)} ms, full int8 ${lat.fullInt8Ms.toFixed(3)} ms, chosen ${lat.chosenMs.toFixed(3)} ms (x${lat.speedup.toFixed(2)})\n`,
        );
        for (const k of lat.keptFloat) process.stdout.write(`  kept in fp32: ${k.group} (${k.nodes.join(', ')}): ${k.reason}\n`);
      }
      for (const t of result.trials as Trial[]) {
        process.stdout.write(
          `  trial ${t.index}: ${t.method}${t.perChannel ? '' : ' per-tensor'}${t.excluded.length ? ` excluding ${t.excluded.length}` : ''} -> ${t.accuracy.toFixed(2)} (drop ${t.drop.toFixed(2)}) ${t.passed ? 'pass' : 'fail'}${t.latencyMs ? ` ${t.latencyMs.toFixed(3)} ms` : ''}\n`,
        );
      }
    }
  });
}
