import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../common/paths';
import { makeTensor, onnx, openSession, saveModel, toFeeds, type ModelProto } from '../../onnx';
import type { InputTensor } from '../../onnx/io-spec';

/** Shared by the operator specs: fixture paths, running a model, comparing outputs. */
export function fixtureModels(): string[] {
  return ['fashion-resnet', 'sentiment-bert'].flatMap((family) => {
    const dir = join(repoRoot(), 'test/fixtures', family, 'models');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .sort()
      .map((f) => join(dir, f));
  });
}

export type Outputs = Record<string, { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> }>;

export async function runModel(
  model: ModelProto | Uint8Array,
  feeds: Record<string, InputTensor>,
  optimization: 'disabled' | 'all' = 'all',
): Promise<Outputs> {
  const session = await openSession(model instanceof Uint8Array ? model : saveModel(model), { optimization, threads: 1 });
  try {
    return (await session.run(toFeeds(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]))))) as unknown as Outputs;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Outputs, b: Outputs): number {
  let max = 0;
  for (const name of Object.keys(a)) {
    const x = a[name].data;
    const y = b[name].data;
    if (x.length !== y.length) return Infinity;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return max;
}

/** Turns every initializer into a Constant node (the form some exporters emit). */
export function initializersToConstants(model: ModelProto): void {
  const graph = model.graph!;
  const constants = (graph.initializer ?? []).map((t) =>
    onnx.NodeProto.create({
      opType: 'Constant',
      name: `const_${t.name}`,
      output: [t.name ?? ''],
      attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t }],
    }),
  );
  graph.node = [...constants, ...(graph.node ?? [])];
  graph.initializer = [];
  graph.input = (graph.input ?? []).filter((v) => !constants.some((c) => c.output[0] === v.name));
}

export function floatInput(dims: number[], seed = 0.1): InputTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32', dims, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed + 0.3)) };
}

export function tensorAttr(name: string, dims: number[], values: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.TENSOR, t: makeTensor(name, dims, Float32Array.from(values)) };
}
