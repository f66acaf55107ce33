import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serializeSample } from '../../benchmark/inputs';
import { tierLinks } from '../../benchmark/network';
import { loadDataset } from '../../datasets/formats';
import type { InputTensor } from '../../onnx/io-spec';
import { recordOfTensors, type InputShapesRecord } from '../../onnx/input-spec';
import { describeModel, loadModel, openSession, saveModel, toFeeds } from '../../onnx';
import { probeShapes, searchPartition, splitModel } from '../partition';
import { partitionTolerance, verifySplit } from '../verify';
import { buildFeeds } from './build-feeds';
import type { BuildRequest, BuildResult } from './build-request';

const SAMPLE_COUNT = 8;
/** A study's partition keeps at least this share of the compute on each tier (else it is an on-device scenario). */
const MIN_SHARE = 0.1;

/** Inputs for the model: real dataset samples when there is a dataset, else synthetic ones from the study's spec. */
async function modelInputs(request: BuildRequest): Promise<{ inputs: Array<Record<string, InputTensor>>; inputShapes: InputShapesRecord; payloadBytes?: number }> {
  if (!request.dataset) {
    const { feeds, inputShapes } = await buildFeeds(request, await readFile(request.parentPath), 2);
    return { inputs: feeds, inputShapes };
  }
  const specs = describeModel(await readFile(request.parentPath)).inputs;
  const { path, kind, preprocess } = request.dataset;
  const { samples } = await loadDataset(path, { kind, preprocess, modelInputs: specs, limit: SAMPLE_COUNT });
  const payloadBytes = samples.reduce((sum, s) => sum + s.payloadBytes, 0) / Math.max(1, samples.length);
  return { inputs: samples.map((s) => s.inputs), inputShapes: recordOfTensors(samples[0]?.inputs ?? {}, 'dataset'), payloadBytes };
}

/**
 * Searches the cut for the study's tier pair and network (per-node profiles on both tiers + the link model, the
 * best two measured), then writes the head, the tail, and the real cut tensors of a few samples to feed the tail.
 */
export async function buildPartition(request: BuildRequest, headFile: string): Promise<BuildResult> {
  const { from, to } = request.step.params as { from: string; to: string };
  const { inputs, inputShapes, payloadBytes } = await modelInputs(request);
  // The search probes and measures at the inputs it verifies with (the study's spec or dataset), not at 1 for
  // symbolic dims; the probe's second run keeps their fills, so symbolic dims stay symbolic in head and tail.
  const at = { feeds: inputs[0], spec: request.inputSpec, resolve: { assumeBatch: true } };
  const search = await searchPartition(request.parentPath, {
    from, to, feeds: inputs[0], inputs: request.inputSpec, links: tierLinks(request.network), origin: 'mobile', requestBytes: payloadBytes,
    topK: 2, runs: Math.min(30, request.effort.runs), warmup: Math.min(5, request.effort.warmup), minShare: MIN_SHARE,
  });
  const model = loadModel(await readFile(request.parentPath));
  const probe = await probeShapes(model, at);
  const { head, tail } = splitModel(model, search.best.tensors, probe);
  const headBytes = saveModel(head);
  const tailBytes = saveModel(tail);
  // head → tail must give the model's outputs (relative 1e-4; 5e-3 for a graph computing in fp16) before the split is measured or reported.
  const verification = await verifySplit(await readFile(request.parentPath), headBytes, tailBytes, inputs.slice(0, 4), partitionTolerance(model));
  const tailFile = join(request.outDir, 'tail.onnx');
  await writeFile(headFile, headBytes);
  await writeFile(tailFile, tailBytes);
  const session = await openSession(headBytes, { threads: 1 });
  const tailSamples = [];
  try {
    for (const [i, sample] of inputs.entries()) {
      const headInputs = Object.fromEntries(head.graph!.input!.map((v) => [v.name!, sample[v.name!]]));
      const out = await session.run(toFeeds(headInputs));
      const tailInputs = Object.fromEntries(
        tail.graph!.input!.map((v) => {
          const t = out[v.name!];
          return [v.name!, t ? { type: t.type as InputTensor['type'], dims: [...t.dims], data: t.data as InputTensor['data'] } : sample[v.name!]];
        }),
      );
      tailSamples.push(serializeSample(`tail-${i}`, tailInputs));
    }
  } finally {
    await session.release();
  }
  const tailSamplesFile = join(request.outDir, 'tail-samples.json');
  await writeFile(tailSamplesFile, JSON.stringify(tailSamples));
  const chosen = search.candidates.find((c) => c.id === search.best.id);
  return {
    modelFile: headFile,
    tailFile,
    tailSamplesFile,
    inputShapes,
    report: {
      inputShapes,
      operator: 'partition',
      params: request.step.params,
      cut: search.best.id,
      cutTensors: search.best.tensors,
      verification,
      cutBytes: chosen?.cut.transferBytes ?? null,
      requestBytes: search.route.requestBytes,
      basis: search.best.basis,
      bestE2eMs: search.best.e2eMs,
      whole: search.whole,
      estimateError: search.estimateError,
      candidatesConsidered: search.candidates.length,
      measurements: search.measurements,
      measured: search.measured.map((m) => ({ id: m.id, estimateMs: m.estimateMs, e2eMs: m.e2eMs, errorPct: m.errorPct })),
    },
  };
}
