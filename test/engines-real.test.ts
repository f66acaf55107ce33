/**
 * Engines on graphs like the ones people deploy (built here with src/onnx): dynamic spatial dims, old opsets,
 * fp16 weights behind Casts, stateful multi-input models with an int64 scalar. Every written model is checked
 * against the original in onnxruntime.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQuantize } from '../src/cli/commands/quantize';
import { TierwiseError } from '../src/common/errors';
import { loadModel, makeTensor, onnx, openSession, saveModel, toFeeds, type ModelProto } from '../src/onnx';
import { convertOpset } from '../src/onnx/opset';
import { floatToHalf, halfToFloat } from '../src/onnx/float16';
import { splitModel, probeShapes } from '../src/operators/partition';
import { pruneModel } from '../src/operators/prune';
import { bypassBlocks, listBlocks } from '../src/operators/early-exit';
import { quantizeDynamic, quantizeStatic } from '../src/operators/quantization';
import { convertToFloat32, toFloat32Checked } from '../src/operators/float32-baseline';
import { upgradeOpset } from '../src/operators/opset-upgrade';
import { engineSampleInputs } from '../src/operators/sample-inputs';
import { specFromFlags } from '../src/cli/commands/input-flags';
import { computesInFp16, computesInQdq, partitionTolerance, TOLERANCES, verifyModel, verifySplit } from '../src/operators/verify';

const F = onnx.TensorProto.DataType.FLOAT;
const F16 = onnx.TensorProto.DataType.FLOAT16;
const I64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;
const isCode =
  (code: string, ...mentions: string[]) =>
  (e: unknown): boolean =>
    e instanceof TierwiseError && e.code === code && mentions.every((m) => e.message.includes(m));

function info(name: string, elemType: number, dims: Array<number | string> | null): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}),
      },
    },
  };
}
const ints = (name: string, v: number[]): onnx.IAttributeProto => ({ name, type: A.INTS, ints: v });
const int = (name: string, v: number): onnx.IAttributeProto => ({ name, type: A.INT, i: v });
const flt = (name: string, v: number): onnx.IAttributeProto => ({ name, type: A.FLOAT, f: v });
const str = (name: string, v: string): onnx.IAttributeProto => ({ name, type: A.STRING, s: new TextEncoder().encode(v) });
function weights(name: string, dims: number[], seed: number): onnx.TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(
    name,
    dims,
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + seed) * 0.3),
  );
}
function model(graph: onnx.IGraphProto, opset: number): ModelProto {
  return loadModel(
    saveModel({ irVersion: opset >= 13 ? 7 : 5, opsetImport: [{ domain: '', version: opset }], producerName: 'engines-real', graph }),
  );
}
async function run(
  bytes: Uint8Array,
  feeds: Record<string, import('../src/onnx/io-spec').InputTensor>,
): Promise<Record<string, Float32Array>> {
  const s = await openSession(bytes, { threads: 1 });
  try {
    const out = await s.run(toFeeds(feeds));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await s.release();
  }
}

/** x: [N, 3, H, W] → conv → relu → (residual block) → maxpool → conv → relu: spatial map out, plus GAP → Gemm logits. */
function dynamicDetector(): ModelProto {
  return model(
    {
      name: 'dynamic-detector',
      input: [info('x', F, ['N', 3, 'H', 'W'])],
      output: [info('map', F, ['N', 12, 'H2', 'W2']), info('logits', F, ['N', 5])],
      initializer: [
        weights('w1', [8, 3, 3, 3], 1),
        weights('b1', [8], 2),
        weights('w2', [8, 8, 3, 3], 3),
        weights('w3', [12, 8, 3, 3], 4),
        weights('b3', [12], 5),
        weights('wg', [12, 5], 6),
        weights('bg', [5], 7),
      ],
      node: [
        { opType: 'Conv', name: 'conv1', input: ['x', 'w1', 'b1'], output: ['c1'], attribute: [ints('pads', [1, 1, 1, 1])] },
        { opType: 'Relu', name: 'relu1', input: ['c1'], output: ['r1'] },
        { opType: 'Conv', name: 'conv2', input: ['r1', 'w2'], output: ['c2'], attribute: [ints('pads', [1, 1, 1, 1])] },
        { opType: 'Relu', name: 'relu2', input: ['c2'], output: ['r2'] },
        { opType: 'Add', name: 'block1', input: ['r1', 'r2'], output: ['res'] },
        {
          opType: 'MaxPool',
          name: 'pool',
          input: ['res'],
          output: ['p'],
          attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])],
        },
        { opType: 'Conv', name: 'conv3', input: ['p', 'w3', 'b3'], output: ['c3'], attribute: [ints('pads', [1, 1, 1, 1])] },
        { opType: 'Relu', name: 'relu3', input: ['c3'], output: ['map'] },
        { opType: 'GlobalAveragePool', name: 'gap', input: ['map'], output: ['g'] },
        { opType: 'Flatten', name: 'flat', input: ['g'], output: ['f'] },
        { opType: 'Gemm', name: 'head', input: ['f', 'wg', 'bg'], output: ['logits'] },
      ],
    },
    13,
  );
}

const symbolsOf = (v: onnx.IValueInfoProto): Array<string | number | null> =>
  (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || (d.dimValue ? Number(d.dimValue) : null));

describe('engines on real-shaped graphs', () => {
  test('partition keeps symbolic dims: head → tail equals the model at two input sizes, at several cuts', async () => {
    const m = dynamicDetector();
    const bytes = saveModel(m);
    const probe = await probeShapes(m, { shapes: { x: [1, 3, 8, 8] } });
    for (const cut of ['r1', 'res', 'p', 'c3']) {
      const { head, tail } = splitModel(m, [cut], probe);
      const cutInput = tail.graph!.input!.find((v) => v.name === cut)!;
      const dims = symbolsOf(cutInput);
      assert.equal(dims[0], 'N', `${cut}: the batch dim keeps its name`);
      assert.ok(
        dims.slice(2).every((d) => typeof d !== 'number'),
        `${cut}: spatial dims stay symbolic, got [${dims}]`,
      );
      for (const size of [
        [1, 3, 16, 16],
        [2, 3, 24, 40],
      ]) {
        const feeds = engineSampleInputs(m, { inputs: { x: { shape: size } } }, 1);
        const v = await verifySplit(bytes, saveModel(head), saveModel(tail), feeds);
        assert.equal(v.passed, true);
        assert.deepEqual(v.inputShapes.x, size);
        assert.ok(
          v.outputs.every((o) => o.relative <= 1e-4),
          JSON.stringify(v.outputs),
        );
      }
    }
  });

  test('quantization, pruning and early exit keep symbolic dims and are checked against the original', async () => {
    const m = dynamicDetector();
    const bytes = saveModel(m);
    const spec = { inputs: { x: { shape: [1, 3, 20, 28] } } };
    const samples = engineSampleInputs(m, spec, 8).map((inputs, i) => ({ id: String(i), inputs, payloadBytes: 0 }));
    const q = await quantizeStatic(bytes, samples, { method: 'minmax', perChannel: true });
    const pruned = saveModel(pruneModel(m, { sparsity: 0.5 }).model);
    const blocks = await listBlocks(m, { spec });
    const ee = saveModel(bypassBlocks(m, blocks, [blocks[0].id]));
    for (const [engine, written] of [
      ['int8', q.bytes],
      ['prune', pruned],
      ['early-exit', ee],
    ] as const) {
      const g = loadModel(written).graph!;
      assert.deepEqual(symbolsOf(g.input![0]), ['N', 3, 'H', 'W'], engine);
      assert.deepEqual(symbolsOf(g.output![1]), ['N', 5], engine);
      const other = engineSampleInputs(m, { inputs: { x: { shape: [2, 3, 12, 36] } } }, 2);
      const v = await verifyModel(engine, bytes, written, other, engine === 'int8' ? TOLERANCES.int8 : TOLERANCES.prune);
      assert.deepEqual(v.inputShapes.x, [2, 3, 12, 36]);
      if (engine === 'int8')
        assert.ok(
          v.outputs.every((o) => o.cosine >= 0.99),
          JSON.stringify(v.outputs),
        );
      else
        assert.ok(
          v.outputs.some((o) => o.maxAbs > 0),
          `${engine} changes outputs by design, and the check measures it`,
        );
    }
  });

  test('verification fails with a code: an unloadable model, a disagreeing one', async () => {
    const m = dynamicDetector();
    const bytes = saveModel(m);
    const feeds = engineSampleInputs(m, { dims: { N: 1, H: 8, W: 8 } });
    const broken = loadModel(bytes);
    broken.graph!.node![0].opType = 'NoSuchOp';
    await assert.rejects(
      verifyModel('prune', bytes, saveModel(broken), feeds, TOLERANCES.prune),
      isCode('ENGINE_OUTPUT_INVALID', 'cannot load'),
    );
    const wrong = pruneModel(m, { sparsity: 0.9 }).model;
    await assert.rejects(verifyModel('partition', bytes, saveModel(wrong), feeds, TOLERANCES.partition), (e: unknown) => {
      assert.ok(isCode('ENGINE_OUTPUT_DISAGREES', 'map', 'max abs', 'cosine')(e));
      const outputs = ((e as TierwiseError).details!.verification as { outputs: Array<{ name: string; relative: number }> }).outputs;
      assert.deepEqual(
        outputs.map((o) => o.name),
        ['map', 'logits'],
      );
      assert.ok(outputs.every((o) => o.relative > 1e-4));
      return true;
    });
  });

  test('a lossy rewrite that changes an output by more than its norm is refused; fp16-compute splits are held to fp16 rounding', async () => {
    const m = dynamicDetector();
    const bytes = saveModel(m);
    const feeds = engineSampleInputs(m, { dims: { N: 1, H: 8, W: 8 } }, 2);
    const blown = loadModel(bytes);
    const gain = blown.graph!.initializer!.findIndex((t) => t.name === 'wg');
    blown.graph!.initializer![gain] = makeTensor(
      'wg',
      [12, 5],
      Float32Array.from({ length: 60 }, (_, i) => Math.sin(i * 0.7 + 6) * 30),
    );
    await assert.rejects(
      verifyModel('early-exit', bytes, saveModel(blown), feeds, TOLERANCES['early-exit']),
      isCode('ENGINE_OUTPUT_DISAGREES', 'relative L2', 'logits'),
    );
    const mild = await verifyModel('prune', bytes, saveModel(pruneModel(m, { sparsity: 0.3 }).model), feeds, TOLERANCES.prune);
    assert.ok(
      mild.outputs.every((o) => o.relL2 > 0 && o.relL2 <= 1),
      JSON.stringify(mild.outputs),
    );
    assert.equal(computesInFp16(m), false);
    assert.deepEqual(partitionTolerance(m), TOLERANCES.partition);
    const half = loadModel(bytes);
    half.graph!.node!.unshift({
      opType: 'Cast',
      input: ['x'],
      output: ['x16'],
      attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT16 }],
    });
    assert.equal(computesInFp16(half), true);
    assert.deepEqual(partitionTolerance(half), TOLERANCES.partitionFp16);
    const qdq = loadModel(bytes);
    qdq.graph!.node!.unshift({ opType: 'QuantizeLinear', input: ['x', 'x_scale'], output: ['x_q'] });
    assert.equal(computesInQdq(qdq), true);
    assert.deepEqual(partitionTolerance(qdq), TOLERANCES.partitionInt8);
  });

  test('no engine substitutes 1: a symbolic dim without a value is INPUT_SPEC_REQUIRED, naming input and dim', () => {
    const m = dynamicDetector();
    assert.throws(
      () => engineSampleInputs(m, { dims: { N: 1 } }),
      isCode('INPUT_SPEC_REQUIRED', 'dim "H" (axis 2)', 'dim "W" (axis 3)', '"dims"'),
    );
    assert.throws(() => engineSampleInputs(m), isCode('INPUT_SPEC_REQUIRED', 'dim "N" (axis 0)'));
    assert.throws(
      () => engineSampleInputs(m, { inputs: { x: { shape: [1, 4, 8, 8] } } }),
      isCode('INPUT_SPEC_INVALID', 'fixes that dim at 3'),
    );
    // The probes of partition and early exit resolve the same way: no probe runs at 1 for a dim nobody gave.
    return Promise.all([
      assert.rejects(probeShapes(m, { spec: { dims: { N: 1 } } }), isCode('INPUT_SPEC_REQUIRED', 'dim "H" (axis 2)')),
      assert.rejects(
        listBlocks(m, { spec: { dims: { H: 8 } }, resolve: { assumeBatch: false } }),
        isCode('INPUT_SPEC_REQUIRED', 'dim "N" (axis 0)', 'dim "W" (axis 3)'),
      ),
    ]).then(() =>
      assert.deepEqual(
        specFromFlags({ shape: ['x=1,3,8,8', 'sr='], dim: ['N=2'], fill: ['sr=16000', 'h=zeros', 'ids=range:0,5'], dims: 'H=4' }),
        {
          dims: { H: 4, N: 2 },
          inputs: {
            x: { shape: [1, 3, 8, 8] },
            sr: { shape: [], value: 16000, fill: undefined },
            h: { fill: 'zeros', value: undefined },
            ids: { fill: { kind: 'range', lo: 0, hi: 5 }, value: undefined },
          },
        },
      ),
    );
  });

  test('opset 9: the converter rewrites changed ops, the result equals the original, and static int8 goes on', async () => {
    const m = model(
      {
        name: 'opset9',
        input: [info('x', F, [1, 4, 6, 6])],
        output: [info('y', F, null), info('top', F, null), info('sm', F, null), info('parts', F, null)],
        initializer: [
          weights('w', [8, 4, 3, 3], 1),
          weights('b', [8], 2),
          weights('scale', [8], 3),
          weights('bias', [8], 4),
          weights('mean', [8], 5),
          makeTensor('var', [8], new Float32Array(8).fill(0.5)),
          makeTensor('up', [4], new Float32Array([1, 1, 2, 2])),
        ],
        node: [
          { opType: 'Conv', input: ['x', 'w', 'b'], output: ['c'], attribute: [ints('pads', [1, 1, 1, 1])] },
          { opType: 'BatchNormalization', input: ['c', 'scale', 'bias', 'mean', 'var'], output: ['bn'] },
          { opType: 'Clip', input: ['bn'], output: ['clip'], attribute: [flt('min', -0.5), flt('max', 0.8)] },
          { opType: 'Dropout', input: ['clip'], output: ['drop'], attribute: [flt('ratio', 0.3)] },
          { opType: 'Upsample', input: ['drop', 'up'], output: ['upd'], attribute: [str('mode', 'nearest')] },
          { opType: 'Pad', input: ['upd'], output: ['pad'], attribute: [ints('pads', [0, 0, 1, 2, 0, 0, 2, 1]), flt('value', 0.25)] },
          {
            opType: 'Slice',
            input: ['pad'],
            output: ['sl'],
            attribute: [ints('starts', [1, 2]), ints('ends', [7, 1000]), ints('axes', [1, 3])],
          },
          { opType: 'ReduceSum', input: ['sl'], output: ['rs'], attribute: [ints('axes', [3]), int('keepdims', 0)] },
          { opType: 'Unsqueeze', input: ['rs'], output: ['us'], attribute: [ints('axes', [0])] },
          { opType: 'Squeeze', input: ['us'], output: ['sq'], attribute: [ints('axes', [0])] },
          { opType: 'Softmax', input: ['sq'], output: ['sm'], attribute: [int('axis', 1)] },
          { opType: 'Split', input: ['sq'], output: ['s1', 's2'], attribute: [int('axis', 1), ints('split', [2, 4])] },
          { opType: 'Add', input: ['s1', 's1'], output: ['parts'] },
          { opType: 'Flatten', input: ['s2'], output: ['fl'] },
          { opType: 'TopK', input: ['fl'], output: ['top', 'topi'], attribute: [int('k', 3)] },
          { opType: 'Relu', input: ['sl'], output: ['y'] },
        ],
      },
      9,
    );
    const bytes = saveModel(m);
    const conversion = convertOpset(m, 13);
    for (const op of ['Upsample', 'Slice', 'Pad', 'Clip', 'Dropout', 'Squeeze', 'Unsqueeze', 'ReduceSum', 'Split', 'Softmax', 'TopK']) {
      assert.ok(conversion.rewritten[op] >= 1, `${op} rewritten: ${JSON.stringify(conversion.rewritten)}`);
    }
    assert.ok(!conversion.model.graph!.node!.some((n) => n.opType === 'Upsample' || n.opType === 'Dropout'));
    const feeds = () => engineSampleInputs(m, {}, 3);
    const upgraded = await upgradeOpset(bytes, 13, feeds);
    assert.equal(upgraded.conversion!.verification.passed, true);
    assert.ok(
      upgraded.conversion!.verification.outputs.every((o) => o.maxAbs <= 1e-5),
      JSON.stringify(upgraded.conversion!.verification.outputs),
    );
    const samples = engineSampleInputs(m, {}, 6).map((inputs, i) => ({ id: String(i), inputs, payloadBytes: 0 }));
    const file = join(mkdtempSync(join(tmpdir(), 'engines-real-')), 'opset9.onnx');
    writeFileSync(file, bytes);
    const cli = await runQuantize(
      file,
      { output: `${file}.int8.onnx`, mode: 'static', calibration: 'synthetic', method: 'minmax', samples: '8', maxTrials: '1' },
      () => undefined,
    );
    assert.equal(
      (cli.preparation as { opset: { from: number; to: number } }).opset.to,
      13,
      'tierwise quantize converts opset 9 and goes on',
    );
    assert.equal((cli.verification as { passed: boolean }).passed, true);
    assert.match(String(cli.calibration), /synthetic/);
    for (const perChannel of [true, false]) {
      const q = await quantizeStatic(bytes, samples, { method: 'minmax', perChannel });
      assert.equal(q.preparation!.opset!.from, 9);
      const v = await verifyModel(
        'quantize',
        bytes,
        q.bytes,
        samples.map((s) => s.inputs),
        TOLERANCES.int8,
      );
      assert.equal(v.passed, true);
    }
  });

  test('opset 11 per-tensor int8 loads (no axis on a DequantizeLinear before 13); an op without a rule is refused by name', async () => {
    const m = model(
      {
        name: 'opset11',
        input: [info('x', F, [1, 3, 8, 8])],
        output: [info('y', F, null)],
        initializer: [weights('w', [6, 3, 3, 3], 1), weights('b', [6], 2)],
        node: [
          { opType: 'Conv', input: ['x', 'w', 'b'], output: ['c'] },
          { opType: 'Relu', input: ['c'], output: ['y'] },
        ],
      },
      11,
    );
    const samples = engineSampleInputs(m, {}, 4).map((inputs, i) => ({ id: String(i), inputs, payloadBytes: 0 }));
    const q = await quantizeStatic(saveModel(m), samples, { method: 'minmax', perChannel: false });
    const dq = loadModel(q.bytes).graph!.node!.filter((n) => n.opType === 'DequantizeLinear');
    assert.ok(dq.length >= 3 && dq.every((n) => !(n.attribute ?? []).some((a) => a.name === 'axis')), 'per-tensor: no axis anywhere');
    await verifyModel(
      'quantize',
      saveModel(m),
      q.bytes,
      samples.map((s) => s.inputs),
      TOLERANCES.int8,
    );
    const cubic = model(
      {
        name: 'cubic',
        input: [info('x', F, [1, 1, 2, 2])],
        output: [info('y', F, null)],
        initializer: [makeTensor('s', [4], new Float32Array([1, 1, 2, 2]))],
        node: [
          { opType: 'Upsample', input: ['x', 's'], output: ['u'], attribute: [str('mode', 'cubic')] },
          { opType: 'Shrink', input: ['u'], output: ['y'] },
          { opType: 'Scan', input: [], output: [] },
        ],
      },
      9,
    );
    assert.throws(() => convertOpset(cubic, 13), isCode('OPSET_UNCONVERTIBLE', 'Upsample', 'Scan'));
  });

  test('float16: weights behind Casts convert to a checked fp32 baseline, quantize to int8 and prune as fp16', async () => {
    const half = (name: string, dims: number[], seed: number): onnx.TensorProto => {
      const n = dims.reduce((a, b) => a * b, 1);
      return makeTensor(
        name,
        dims,
        Uint16Array.from({ length: n }, (_, i) => floatToHalf(Math.sin(i * 0.7 + seed) * 0.3)) as unknown as Int16Array,
        'float16',
      );
    };
    const m = model(
      {
        name: 'fp16',
        input: [info('x', F, ['N', 3, 8, 8])],
        output: [info('y', F, ['N', 4, 8, 8])],
        initializer: [half('w', [4, 3, 3, 3], 1), half('b', [4], 2), half('w2', [4, 4, 1, 1], 3)],
        node: [
          { opType: 'Cast', input: ['x'], output: ['xh'], attribute: [int('to', F16)] },
          { opType: 'Conv', input: ['xh', 'w', 'b'], output: ['c'], attribute: [ints('pads', [1, 1, 1, 1])] },
          { opType: 'Relu', input: ['c'], output: ['r'] },
          { opType: 'Cast', input: ['r'], output: ['rf'], attribute: [int('to', F)] },
          { opType: 'Cast', input: ['w2'], output: ['w2f'], attribute: [int('to', F)] },
          { opType: 'Conv', input: ['rf', 'w2f'], output: ['y'] },
        ],
      },
      13,
    );
    const bytes = saveModel(m);
    assert.equal(halfToFloat(floatToHalf(0.333)), 0.3330078125);
    assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
    assert.equal(halfToFloat(floatToHalf(65520)), Infinity);
    assert.equal(halfToFloat(floatToHalf(-6e-8)), -5.960464477539063e-8);
    const feeds = () => engineSampleInputs(m, { dims: { N: 2 } }, 3);
    const fp32 = await toFloat32Checked(bytes, feeds);
    assert.ok(fp32.conversion!.initializers === 3 && fp32.conversion!.verification.outputs[0].relative < 1e-2);
    const converted = convertToFloat32(m).model;
    assert.ok(converted.graph!.initializer!.every((t) => t.dataType === F));
    assert.ok(
      !converted.graph!.node!.some((n) => n.opType === 'Cast' && n.input![0] === 'w2'),
      'the weight Cast is folded: the Conv reads a constant',
    );
    const samples = feeds().map((inputs, i) => ({ id: String(i), inputs, payloadBytes: 0 }));
    const q = await quantizeStatic(bytes, samples, { method: 'minmax', perChannel: true });
    assert.equal(q.quantizedNodes.length, 2);
    assert.equal(q.preparation!.float32!.initializers, 3);
    await verifyModel('quantize', bytes, q.bytes, feeds(), TOLERANCES.int8);
    const { model: pruned, report } = pruneModel(m, { sparsity: 0.5 });
    assert.equal(report.layers.length, 2);
    assert.ok(Math.abs(report.realSparsity - 0.5) < 0.02);
    assert.ok(
      pruned.graph!.initializer!.filter((t) => t.name !== 'b').every((t) => t.dataType === F16),
      'pruned weights stay fp16',
    );
    await verifyModel('prune', bytes, saveModel(pruned), feeds(), TOLERANCES.prune);
  });

  test('stateful multi-input model (state tensors, int64 scalar): calibrates one sample per run, quantizes static and dynamic', async () => {
    const m = model(
      {
        name: 'stateful',
        input: [info('input', F, ['batch', 'sequence']), info('sr', I64, []), info('h', F, [2, 'batch', 4])],
        output: [info('out', F, ['batch', 4]), info('hn', F, [2, 'batch', 4])],
        initializer: [
          weights('w', [6, 4], 1),
          weights('wh', [4, 4], 2),
          makeTensor('six', [1], BigInt64Array.from([6n])),
          makeTensor('k', [], new Float32Array([1 / 16000])),
        ],
        node: [
          { opType: 'Cast', input: ['sr'], output: ['srf'], attribute: [int('to', F)] },
          { opType: 'Mul', input: ['srf', 'k'], output: ['gain'] },
          { opType: 'Slice', input: ['input', 'zero', 'six', 'one'], output: ['win'] },
          {
            opType: 'Constant',
            output: ['zero'],
            attribute: [{ name: 'value', type: A.TENSOR, t: makeTensor('zero', [1], BigInt64Array.from([0n])) }],
          },
          {
            opType: 'Constant',
            output: ['one'],
            attribute: [{ name: 'value', type: A.TENSOR, t: makeTensor('one', [1], BigInt64Array.from([1n])) }],
          },
          { opType: 'MatMul', input: ['win', 'w'], output: ['proj'] },
          { opType: 'MatMul', input: ['h', 'wh'], output: ['hproj'] },
          { opType: 'ReduceSum', input: ['hproj'], output: ['hsum'], attribute: [ints('axes', [0]), int('keepdims', 0)] },
          { opType: 'Add', input: ['proj', 'hsum'], output: ['pre'] },
          { opType: 'Mul', input: ['pre', 'gain'], output: ['out'] },
          { opType: 'Tanh', input: ['hproj'], output: ['hn'] },
        ],
      },
      12,
    );
    // the Constant nodes follow their reader: sort as an exporter would
    const g = m.graph!;
    g.node = [...g.node!.filter((n) => n.opType === 'Constant'), ...g.node!.filter((n) => n.opType !== 'Constant')];
    const bytes = saveModel(m);
    assert.throws(
      () => engineSampleInputs(m, { inputs: { sr: { value: 16000 } } }),
      isCode('INPUT_SPEC_REQUIRED', 'input input', 'dim "batch" (axis 0)', 'dim "sequence" (axis 1)', 'input h'),
    );
    assert.throws(() => engineSampleInputs(m, { dims: { batch: 1, sequence: 16 } }), isCode('INPUT_SPEC_REQUIRED', 'input sr', 'a value'));
    const spec = { dims: { batch: 1, sequence: 16 }, inputs: { sr: { value: 16000 }, h: { fill: 'zeros' as const } } };
    const feeds = engineSampleInputs(m, spec, 6);
    assert.deepEqual(feeds[0].sr.dims, [], 'a scalar stays a scalar');
    assert.equal(feeds[0].sr.data[0], 16000n);
    assert.deepEqual(feeds[0].h.dims, [2, 1, 4]);
    const samples = feeds.map((inputs, i) => ({ id: String(i), inputs, payloadBytes: 0 }));
    const q = await quantizeStatic(bytes, samples, { method: 'minmax', perChannel: true });
    const vs = await verifyModel('quantize', bytes, q.bytes, feeds, TOLERANCES.int8);
    assert.deepEqual(
      vs.outputs.map((o) => o.name),
      ['out', 'hn'],
    );
    const d = quantizeDynamic(bytes);
    const vd = await verifyModel('quantize', bytes, d.bytes, feeds, TOLERANCES.int8);
    assert.ok(vd.outputs.every((o) => o.cosine >= 0.99));
    const out = await run(q.bytes, feeds[1]);
    assert.equal(out.out.length, 4);
  });
});
