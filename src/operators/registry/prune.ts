import { loadModel, saveModel } from '../../onnx';
import { pruneModel, type PruneScope } from '../prune';
import { TOLERANCES } from '../verify';
import type { Operator } from './operator';

/** Magnitude pruning of Conv/MatMul/Gemm weights. Params: `sparsity` (0..1, exclusive of 1), `scope` (global | per-layer). */
export const prune: Operator = {
  name: 'prune',
  needs: () => [],
  tolerance: TOLERANCES.prune,
  async apply(bytes, params) {
    const { model, report } = pruneModel(loadModel(bytes), {
      sparsity: params.sparsity as number,
      scope: (params.scope as PruneScope | undefined) ?? 'global',
    });
    const { layers: _layers, ...summary } = report;
    return { bytes: saveModel(model), report: summary };
  },
};
