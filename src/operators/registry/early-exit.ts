import { TierwiseError } from '../../common/errors';
import { loadModel, saveModel } from '../../onnx';
import { applyEarlyExit, bypassBlocks, listBlocks, selectExitVariants } from '../early-exit';
import { top1Accuracy } from '../quantization';
import type { InputSpec } from '../../onnx/input-spec';
import { TOLERANCES } from '../verify';
import { stringList, type Operator, type OperatorContext, type OperatorOutput } from './operator';

/**
 * Early exit: residual blocks bypassed. Params: `skip` (the blocks' Add nodes) bypasses exactly those; with
 * `skip: 'auto'` (what a study plans) or none the operator chooses one block (params `shapes`/`inputs` give the probe's inputs for `skip`) — with labelled evaluation samples the one whose bypass costs the least accuracy
 * per MAC saved (the greedy search), otherwise the deepest bypassable block.
 */
export const earlyExit: Operator = {
  name: 'early-exit',
  needs: (params) => (chooses(params) ? ['feeds', 'evaluation'] : []),
  tolerance: TOLERANCES['early-exit'],
  async apply(bytes, params, ctx) {
    if (!chooses(params)) {
      const skip = stringList(params.skip, 'early-exit skip');
      const at = { shapes: params.shapes as Record<string, number[]> | undefined, spec: params.inputs as InputSpec | undefined };
      return { bytes: saveModel(await applyEarlyExit(bytes, skip, at)), report: { skipped: skip } };
    }
    return chooseBlock(bytes, ctx);
  },
};

const chooses = (params: Record<string, unknown>): boolean => params.skip === undefined || params.skip === 'auto';

async function chooseBlock(bytes: Uint8Array, ctx: OperatorContext): Promise<OperatorOutput> {
  const model = loadModel(bytes);
  // Blocks and MAC shares at the study's inputs (its spec or its dataset), never at 1 for a symbolic dim.
  const blocks = await listBlocks(model, { feeds: ctx.feeds?.[0], spec: ctx.inputSpec, resolve: { assumeBatch: true } });
  const bypassable = blocks.filter((b) => b.bypassable);
  if (bypassable.length === 0)
    throw new TierwiseError(
      'EARLY_EXIT_NO_BLOCKS',
      'the model has no residual block that can be bypassed (projection shortcuts change the shape)',
    );
  const evaluation = ctx.evaluation;
  if (evaluation?.length) {
    const selection = await selectExitVariants(model, blocks, { accuracy: (candidate) => top1Accuracy(candidate, evaluation) }, 1);
    const perMac = (v: { accuracyLoss: number; saving: number }) => v.accuracyLoss / Math.max(v.saving, 1e-9);
    const best = [...selection.evaluated].sort((a, b) => perMac(a) - perMac(b))[0];
    return {
      bytes: best.modelBytes,
      report: {
        skipped: best.skipped,
        selection: 'least accuracy lost per MAC saved',
        accuracyLoss: best.accuracyLoss,
        macShareSaved: best.saving,
        evaluatedOn: evaluation.length,
        candidates: selection.evaluated.map((v) => ({ skipped: v.skipped, accuracyLoss: v.accuracyLoss, macShareSaved: v.saving })),
      },
    };
  }
  const deepest = bypassable[bypassable.length - 1];
  return {
    bytes: saveModel(bypassBlocks(model, blocks, [deepest.id])),
    report: {
      skipped: [deepest.id],
      selection: 'deepest bypassable block (no labelled data to choose by accuracy)',
      macShareSaved: deepest.macShare,
    },
  };
}
