import { TierwiseError } from '../../common/errors';
import { tierLinks } from '../../benchmark/network';
import { networkOrigin } from '../../advisor/scenarios';
import type { InputTensor } from '../../onnx/io-spec';
import { loadModel, openSession, saveModel, toFeeds } from '../../onnx';
import { probeShapes, searchPartition, splitModel } from '../partition';
import type { InputSpec } from '../../onnx/input-spec';
import { TOLERANCES, partitionTolerance, verifySplit } from '../verify';
import { stringList, type Operator, type OperatorContext, type OperatorOutput, type PartitionSearchContext } from './operator';

/** A study's partition keeps at least this share of the compute on each tier (else it is an on-device scenario). */
const MIN_SHARE = 0.1;

/**
 * Partition: a head and a tail that compose to the model. Params: `cut` (tensor names; `shapes` optional) splits
 * there; `from`/`to` (a study's tier pair) searches the cut with per-node profiles on both tiers and the link model,
 * measures the best two, and also returns the real cut tensors of the sample inputs to feed the tail when it is
 * measured. Either way head → tail is checked against the model before anything is returned.
 */
export const partition: Operator = {
  name: 'partition',
  needs: () => ['feeds'],
  tolerance: TOLERANCES.partition,
  async apply(bytes, params, ctx) {
    if (params.from !== undefined || params.to !== undefined) return searched(bytes, params as { from: string; to: string }, ctx);
    const cut = stringList(params.cut, 'partition cut');
    const model = loadModel(bytes);
    const probe = await probeShapes(model, {
      shapes: params.shapes as Record<string, number[]> | undefined,
      spec: params.inputs as InputSpec | undefined,
    });
    const split = splitModel(model, cut, probe);
    const transferBytes = [...split.cut.tensors, ...split.cut.forwardedInputs].reduce((s, n) => s + (probe.get(n)?.bytes ?? 0), 0);
    const head = saveModel(split.head);
    const tail = saveModel(split.tail);
    return { parts: { head, tail, report: { tensors: split.cut.tensors, transferBytes, forwardedInputs: split.cut.forwardedInputs } } };
  },
};

async function searched(bytes: Uint8Array, params: { from: string; to: string }, ctx: OperatorContext): Promise<OperatorOutput> {
  const search: PartitionSearchContext | undefined = ctx.partitionSearch;
  const inputs = ctx.feeds;
  if (!search || !inputs?.length)
    throw new TierwiseError(
      'CHAIN_CONTEXT_MISSING',
      'a partition between tiers needs the search context (network, effort) and sample inputs',
    );
  // The search probes and measures at the inputs it verifies with (the study's spec or dataset), not at 1 for
  // symbolic dims; the probe's second run keeps their fills, so symbolic dims stay symbolic in head and tail.
  const at = { feeds: inputs[0], spec: ctx.inputSpec, resolve: { assumeBatch: true } };
  const result = await searchPartition(search.modelPath, {
    from: params.from,
    to: params.to,
    feeds: inputs[0],
    inputs: ctx.inputSpec,
    links: tierLinks(search.network),
    origin: networkOrigin(search.network),
    tierProfiles: search.tierProfiles,
    requestBytes: search.requestBytes,
    topK: 2,
    runs: Math.min(30, search.effort.runs),
    warmup: Math.min(5, search.effort.warmup),
    budgetMs: search.effort.timeBudgetMs,
    minShare: MIN_SHARE,
  });
  const model = loadModel(bytes);
  const probe = await probeShapes(model, at);
  const split = splitModel(model, result.best.tensors, probe);
  const head = saveModel(split.head);
  const tail = saveModel(split.tail);
  // head → tail must give the model's outputs (relative 1e-4; 5e-3 for a graph computing in fp16 or a QDQ int8 graph) first.
  const verification = await verifySplit(bytes, head, tail, inputs.slice(0, 4), partitionTolerance(model));
  const chosen = result.candidates.find((c) => c.id === result.best.id);
  return {
    parts: {
      head,
      tail,
      tailInputs: await tailInputs(split, head, inputs),
      report: {
        tensors: split.cut.tensors,
        forwardedInputs: split.cut.forwardedInputs,
        transferBytes: chosen?.cut.transferBytes ?? 0,
        cut: result.best.id,
        cutTensors: result.best.tensors,
        verification,
        cutBytes: chosen?.cut.transferBytes ?? null,
        requestBytes: result.route.requestBytes,
        basis: result.best.basis,
        bestE2eMs: result.best.e2eMs,
        whole: result.whole,
        profiles: result.profiles,
        outOfMemory: result.outOfMemory,
        estimateError: result.estimateError,
        candidatesConsidered: result.candidates.length,
        measurements: result.measurements,
        measured: result.measured.map((m) => ({ id: m.id, estimateMs: m.estimateMs, e2eMs: m.e2eMs, errorPct: m.errorPct })),
      },
    },
  };
}

/** The tail's inputs for each sample: the head's real cut tensors, and the model inputs the tail reads directly. */
async function tailInputs(
  split: ReturnType<typeof splitModel>,
  head: Uint8Array,
  inputs: Array<Record<string, InputTensor>>,
): Promise<Array<Record<string, InputTensor>>> {
  const session = await openSession(head, { threads: 1 });
  try {
    const out: Array<Record<string, InputTensor>> = [];
    for (const sample of inputs) {
      const headInputs = Object.fromEntries(split.head.graph!.input!.map((v) => [v.name!, sample[v.name!]]));
      const produced = await session.run(toFeeds(headInputs));
      out.push(
        Object.fromEntries(
          split.tail.graph!.input!.map((v) => {
            const t = produced[v.name!];
            return [
              v.name!,
              t ? { type: t.type as InputTensor['type'], dims: [...t.dims], data: t.data as InputTensor['data'] } : sample[v.name!],
            ];
          }),
        ),
      );
    }
    return out;
  } finally {
    await session.release();
  }
}
