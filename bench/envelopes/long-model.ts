import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnx, saveModel } from '../../src/onnx/model-io';
import { makeTensor } from '../../src/onnx/tensor';
import { seededRandom } from '../../src/benchmark/stats';

/**
 * A "long" model for the envelope benchmark (>= 50 ms per inference on one host core): `layers` × (MatMul with
 * one shared 1024×1024 weight + Relu) on a fixed [rows, 1024] input. One shared weight keeps the file at 4 MiB;
 * the Relu keeps onnxruntime from fusing the chain away.
 */
export function writeLongModel(path: string, layers = 28, rows = 256): string {
  if (existsSync(path)) return path;
  const width = 1024;
  const random = seededRandom(99);
  const weight = Float32Array.from({ length: width * width }, () => (random() * 2 - 1) / 32);
  const nodes: onnx.INodeProto[] = [];
  let previous = 'x';
  for (let i = 0; i < layers; i++) {
    nodes.push({ opType: 'MatMul', name: `matmul_${i}`, input: [previous, 'w'], output: [`mm_${i}`] });
    nodes.push({ opType: 'Relu', name: `relu_${i}`, input: [`mm_${i}`], output: [`h_${i}`] });
    previous = `h_${i}`;
  }
  const tensorType = (dims: number[]) => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'tierwise-bench',
    graph: {
      name: 'long-matmul-stack',
      node: nodes,
      initializer: [makeTensor('w', [width, width], weight)],
      input: [{ name: 'x', type: tensorType([rows, width]) }],
      output: [{ name: previous, type: tensorType([rows, width]) }],
    },
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, saveModel(model));
  return path;
}
