import { TierwiseError } from '../../common/errors';
import { describeModel, loadModel, saveModel } from '../../onnx';
import { loadDataset } from '../../datasets/formats';
import { operatorNamed } from '../chain';
import { bypassBlocks, listBlocks, selectExitVariants } from '../early-exit';
import { top1Accuracy } from '../quantization';
import type { BuildRequest } from './build-request';
import { buildFeeds } from './build-feeds';

type Built = { bytes: Uint8Array; report: Record<string, unknown> };

/**
 * Early exit for a study: with a labelled dataset, the one residual block whose bypass costs the least accuracy
 * per MAC saved (the operator's greedy search); without labels, the deepest bypassable block.
 */
async function earlyExit(parent: Uint8Array, request: BuildRequest): Promise<Built> {
  const model = loadModel(parent);
  const { feeds: [sample] } = await buildFeeds(request, parent, 1);
  // Blocks and MAC shares at the study's inputs (its spec or its dataset), never at 1 for a symbolic dim.
  const blocks = await listBlocks(model, { feeds: sample, spec: request.inputSpec, resolve: { assumeBatch: true } });
  const bypassable = blocks.filter((b) => b.bypassable);
  if (bypassable.length === 0) throw new TierwiseError('EARLY_EXIT_NO_BLOCKS', 'the model has no residual block that can be bypassed (projection shortcuts change the shape)', 422);
  if (request.dataset?.labelled) {
    const { path, kind, preprocess } = request.dataset;
    const samples = (await loadDataset(path, { kind, preprocess, modelInputs: describeModel(parent).inputs, limit: request.evalLimit })).samples;
    const selection = await selectExitVariants(model, blocks, { accuracy: (bytes) => top1Accuracy(bytes, samples) }, 1);
    const best = [...selection.evaluated].sort((a, b) => a.accuracyLoss / Math.max(a.saving, 1e-9) - b.accuracyLoss / Math.max(b.saving, 1e-9))[0];
    return {
      bytes: best.modelBytes,
      report: { skipped: best.skipped, selection: 'least accuracy lost per MAC saved', accuracyLoss: best.accuracyLoss, macShareSaved: best.saving, evaluatedOn: samples.length, candidates: selection.evaluated.map((v) => ({ skipped: v.skipped, accuracyLoss: v.accuracyLoss, macShareSaved: v.saving })) },
    };
  }
  const deepest = bypassable[bypassable.length - 1];
  return { bytes: saveModel(bypassBlocks(model, blocks, [deepest.id])), report: { skipped: [deepest.id], selection: 'deepest bypassable block (no labelled data to choose by accuracy)', macShareSaved: deepest.macShare } };
}

/** Graph operators without calibration: magnitude pruning and early exit. */
export async function otherOperators(operator: string, parent: Uint8Array, request: BuildRequest): Promise<Built> {
  if (operator === 'early-exit') return earlyExit(parent, request);
  const output = await operatorNamed(operator).apply(parent, request.step.params, {});
  return { bytes: output.bytes, report: (output.report ?? {}) as Record<string, unknown> };
}

