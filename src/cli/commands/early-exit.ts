import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import { loadModel, saveModel } from '../../onnx';
import { bypassBlocks, listBlocks, type ResidualBlock } from '../../operators/early-exit';
import { engineSampleInputs } from '../../operators/sample-inputs';
import { specFromFlags, withInputSpecFlags, type InputSpecFlags } from './input-flags';
import { TOLERANCES, verifyModel, type Verification } from '../../operators/verify';
import { readModelFile } from './prune';

interface EarlyExitOptions extends InputSpecFlags {
  listBlocks?: boolean;
  skip?: string;
  output?: string;
  json?: boolean;
}

export async function runEarlyExit(
  modelPath: string,
  options: EarlyExitOptions,
): Promise<{ blocks: ResidualBlock[]; skipped?: string[]; output?: string; verification?: Verification }> {
  if (!!options.listBlocks === !!options.skip)
    throw new TierwiseError('ARGUMENT_INVALID', 'give either --list-blocks or --skip <block>[,...]');
  const bytes = readModelFile(modelPath);
  const model = loadModel(bytes, modelPath);
  const spec = specFromFlags(options) ?? {};
  // Blocks and their MAC shares are measured at the spec's inputs (INPUT_SPEC_REQUIRED for a dim nobody gave).
  const feeds = engineSampleInputs(model, spec, 4);
  const blocks = await listBlocks(model, { feeds: feeds[0], spec });
  if (options.listBlocks) return { blocks };
  if (!options.output) throw new TierwiseError('ARGUMENT_INVALID', '--skip needs -o <out.onnx>');
  const skipped = options
    .skip!.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const written = saveModel(bypassBlocks(model, blocks, skipped));
  const verification = await verifyModel('early-exit', bytes, written, feeds, TOLERANCES['early-exit']);
  writeFileSync(options.output, written);
  return { blocks, skipped, output: options.output, verification };
}

export function register(program: Command): void {
  withInputSpecFlags(
    program
      .command('early-exit')
      .description('list residual blocks, or bypass some of them (no retraining)')
      .argument('<in.onnx>', 'the model')
      .option('--list-blocks', 'list the residual blocks with their MAC and parameter shares')
      .option('--skip <blocks>', 'comma-separated block ids (the closing Add names) to bypass')
      .option('-o, --output <out.onnx>', 'where to write the variant')
      .option('--json', 'print JSON'),
  ).action(async (modelPath: string, options: EarlyExitOptions) => {
    const result = await runEarlyExit(modelPath, options);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const lines = result.skipped
      ? [
          `bypassed ${result.skipped.join(', ')}; outputs vs the original: ${result.verification!.outputs.map((o) => `${o.name} max abs ${o.maxAbs.toExponential(2)}, cosine ${o.cosine.toFixed(4)}${o.top1Agreement === null ? '' : `, top-1 agreement ${(o.top1Agreement * 100).toFixed(0)}%`}`).join('; ')}; wrote ${result.output}`,
        ]
      : result.blocks.map(
          (b) =>
            `${b.bypassable ? 'bypassable' : 'fixed     '}  ${b.shortcut.padEnd(10)} MACs ${(b.macShare * 100).toFixed(1).padStart(5)}%  params ${(b.paramShare * 100).toFixed(1).padStart(5)}%  ${b.id}${b.reason ? `  (${b.reason})` : ''}`,
        );
    if (!result.skipped && lines.length === 0) lines.push('no residual blocks found');
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
