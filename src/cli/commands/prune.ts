import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import { loadModel, saveModel } from '../../onnx';
import { pruneModel, type PruneReport } from '../../operators/prune';
import { engineSampleInputs } from '../../operators/sample-inputs';
import { specFromFlags, withInputSpecFlags, type InputSpecFlags } from './input-flags';
import { TOLERANCES, verifyModel, type Verification } from '../../operators/verify';

interface PruneOptions extends InputSpecFlags {
  sparsity: string;
  perLayer?: boolean;
  output?: string;
  json?: boolean;
}

export function readModelFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TierwiseError('MODEL_NOT_FOUND', `cannot read model ${path}: ${(error as Error).message}`);
  }
}

export async function runPrune(
  modelPath: string,
  options: PruneOptions,
): Promise<PruneReport & { input: string; output: string; verification: Verification }> {
  if (!options.output) throw new TierwiseError('ARGUMENT_INVALID', 'give -o <out.onnx>');
  const sparsity = options.sparsity.trim() === '' ? Number.NaN : Number(options.sparsity);
  const bytes = readModelFile(modelPath);
  const original = loadModel(bytes, modelPath);
  const { model, report } = pruneModel(original, { sparsity, scope: options.perLayer ? 'per-layer' : 'global' });
  const feeds = engineSampleInputs(original, specFromFlags(options), 4);
  const written = saveModel(model);
  const verification = await verifyModel('prune', bytes, written, feeds, TOLERANCES.prune);
  writeFileSync(options.output, written);
  return { input: modelPath, output: options.output, ...report, verification };
}

export function register(program: Command): void {
  withInputSpecFlags(
    program
      .command('prune')
      .description('magnitude pruning of Conv/MatMul/Gemm weights to a target sparsity, no fine-tuning (stored dense)')
      .argument('<in.onnx>', 'the model to prune')
      .requiredOption('--sparsity <fraction>', 'fraction of weight values to zero, in [0, 1)')
      .option('--per-layer', 'prune every layer to the sparsity (default: one global magnitude threshold)')
      .option('-o, --output <out.onnx>', 'where to write the pruned model')
      .option('--json', 'print the report as JSON'),
  ).action(async (modelPath: string, options: PruneOptions) => {
    const report = await runPrune(modelPath, options);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    const mb = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;
    process.stdout.write(
      [
        `${report.scope} magnitude pruning to ${(report.targetSparsity * 100).toFixed(1)}%: ${(report.realSparsity * 100).toFixed(2)}% of ${report.values} weight values are 0 (${report.layers.length} layers)`,
        ...report.layers.map((l) => `  ${(l.sparsity * 100).toFixed(1).padStart(5)}%  ${l.opType.padEnd(6)} ${l.weight}`),
        ...report.skipped.map((s) => `  skipped ${s.node}: ${s.reason}`),
        `size ${mb(report.size.beforeBytes)} -> ${mb(report.size.afterBytes)} (dense); gzip ${mb(report.size.gzipBeforeBytes)} -> ${mb(report.size.gzipAfterBytes)}`,
        `outputs vs the original (${report.verification.samples} samples): ${report.verification.outputs.map((o) => `${o.name} max abs ${o.maxAbs.toExponential(2)}, cosine ${o.cosine.toFixed(4)}`).join('; ')}`,
        'zeros are stored dense: expect no speed-up in onnxruntime; measure latency with `tierwise bench`',
        `wrote ${report.output}`,
      ].join('\n') + '\n',
    );
  });
}
