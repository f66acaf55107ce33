import { TierwiseError } from '../../common/errors';
import { loadModel, saveModel } from '../../onnx';
import { applyEarlyExit, bypassBlocks, listBlocks, selectExitVariants } from '../early-exit';
import { top1Accuracy } from '../quantization';
import { engineSampleInputs } from '../sample-inputs';
import { TOLERANCES } from '../verify';
import { stringList, type Operator, type OperatorContext, type OperatorOutput } from './operator';

/**
 * Early exit: residual blocks bypassed. Params: `skip` (the blocks' Add nodes) bypasses exactly those; with
 * `skip: 'auto'` (what a study plans) or none the operator chooses one block — with labelled evaluation samples the one whose bypass costs the least accuracy
 * per MAC saved (the greedy search), otherwise the deepest bypassable block.
 */
export const earlyExit: Operator = {
  name: 'early-exit',
  needs: (params) => (chooses(params) ? ['feeds', 'evaluation'] : []),
  tolerance: TOLERANCES['early-exit'],
  async apply(bytes, params, ctx) {
    if (!chooses(params)) {
      const skip = stringList(params.skip, 'early-exit skip');
      return { bytes: saveModel(await applyEarlyExit(bytes, skip)), report: { skipped: skip } };
    }
    return chooseBlock(bytes, ctx);
  },
};

const chooses = (params: Record<string, unknown>): boolean => params.skip === undefined || params.skip === 'auto';

async function chooseBlock(bytes: Uint8Array, ctx: OperatorContext): Promise<OperatorOutput> {
  const model = loadModel(bytes);
  const [sample] = ctx.feeds ?? engineSampleInputs(model, {}, 1);
  const blocks = await listBlocks(model, Object.fromEntries(Object.entries(sample).map(([n, t]) => [n, [...t.dims]])));
  const bypassable = blocks.filter((b) => b.bypassable);
  if (bypassable.length === 0) throw new TierwiseError('EARLY_EXIT_NO_BLOCKS', 'the model has no residual block that can be bypassed (projection shortcuts change the shape)');
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
  return { bytes: saveModel(bypassBlocks(model, blocks, [deepest.id])), report: { skipped: [deepest.id], selection: 'deepest bypassable block (no labelled data to choose by accuracy)', macShareSaved: deepest.macShare } };
}
