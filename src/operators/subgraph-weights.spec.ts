import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findScopedWeight, loadModel, makeTensor, onnx, saveModel, scopedGraphs, type InputTensor } from '../onnx';
import { quantizeDynamic } from './quantization/dynamic-int8';
import { pruneModel } from './prune';
import { TOLERANCES, verifyModel } from './verify';
import { runModel } from './testing/fixture-models';

const F = onnx.TensorProto.DataType.FLOAT;
const GRAPH = onnx.AttributeProto.AttributeType.GRAPH;

function info(name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

const values = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed + 0.7));

/**
 * y = If(cond, then: MatMul(x, w_outer), else: Gemm(x, w_inner, b_inner)): the then branch reads its weight from the
 * outer graph, the else branch holds its own initializers, as torch exports branches over a sample rate (silero).
 */
function ifMatMulModel(): Uint8Array {
  const thenBranch: onnx.IGraphProto = {
    name: 'then',
    node: [{ opType: 'MatMul', name: 'then_matmul', input: ['x', 'w_outer'], output: ['then_out'] }],
    output: [info('then_out', F, ['N', 3])],
  };
  const elseBranch: onnx.IGraphProto = {
    name: 'else',
    initializer: [makeTensor('w_inner', [4, 3], values(12, 1.3)), makeTensor('b_inner', [3], values(3, 0.4))],
    node: [{ opType: 'Gemm', input: ['x', 'w_inner', 'b_inner'], output: ['else_out'] }],
    output: [info('else_out', F, ['N', 3])],
  };
  const graph: onnx.IGraphProto = {
    name: 'if-matmul',
    input: [info('x', F, ['N', 4]), info('cond', onnx.TensorProto.DataType.BOOL, [])],
    output: [info('y', F, ['N', 3])],
    initializer: [makeTensor('w_outer', [4, 3], values(12, 0.9))],
    node: [
      {
        opType: 'If',
        name: 'rate_if',
        input: ['cond'],
        output: ['y'],
        attribute: [
          { name: 'then_branch', type: GRAPH, g: thenBranch },
          { name: 'else_branch', type: GRAPH, g: elseBranch },
        ],
      },
    ],
  };
  return saveModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', graph });
}

/** y = If(cond, then: Conv1d(x, w, b), else: Relu(x)) with the Conv's weight and bias in the outer graph: a Conv-only model. */
function ifConvModel(): Uint8Array {
  const thenBranch: onnx.IGraphProto = {
    name: 'then',
    node: [
      {
        opType: 'Conv',
        name: 'then_conv',
        input: ['x', 'conv_w', 'conv_b'],
        output: ['then_out'],
        attribute: [{ name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] }],
      },
    ],
    output: [info('then_out', F, [1, 3, 'L'])],
  };
  const elseBranch: onnx.IGraphProto = {
    name: 'else',
    node: [{ opType: 'Relu', input: ['x'], output: ['else_out'] }],
    output: [info('else_out', F, [1, 2, 'L'])],
  };
  const graph: onnx.IGraphProto = {
    name: 'if-conv',
    input: [info('x', F, [1, 2, 'L']), info('cond', onnx.TensorProto.DataType.BOOL, [])],
    output: [info('y', F, [1, 'C', 'L'])],
    initializer: [makeTensor('conv_w', [3, 2, 3], values(18, 0.8)), makeTensor('conv_b', [3], values(3, 2.1))],
    node: [
      {
        opType: 'If',
        input: ['cond'],
        output: ['y'],
        attribute: [
          { name: 'then_branch', type: GRAPH, g: thenBranch },
          { name: 'else_branch', type: GRAPH, g: elseBranch },
        ],
      },
    ],
  };
  return saveModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', graph });
}

const feedsFor = (cond: boolean): Record<string, InputTensor> => ({
  x: { type: 'float32', dims: [5, 4], data: values(20, 0.37) },
  cond: { type: 'bool', dims: [], data: new Uint8Array([cond ? 1 : 0]) },
});
const bothBranches = [feedsFor(true), feedsFor(false)];

const opsInSubgraphs = (bytes: Uint8Array): string[] =>
  scopedGraphs(loadModel(bytes).graph!)
    .filter((s) => s.outer.length > 0)
    .flatMap((s) => (s.graph.node ?? []).map((n) => n.opType ?? ''));

describe('engines rewrite weights inside If subgraphs', () => {
  test('dynamic int8 quantizes a MatMul and a Gemm in the If branches, outer and branch weights, and agrees with fp32', async () => {
    const original = ifMatMulModel();
    const q = quantizeDynamic(original);
    assert.deepEqual(q.quantizedNodes, ['then_matmul', 'else/Gemm_0']);
    const ops = opsInSubgraphs(q.bytes);
    assert.ok(!ops.includes('MatMul') && !ops.includes('Gemm'), ops.join(','));
    assert.equal(ops.filter((o) => o === 'MatMulInteger').length, 2);
    assert.equal(ops.filter((o) => o === 'DynamicQuantizeLinear').length, 2);
    const top = loadModel(q.bytes).graph!;
    assert.ok(!(top.initializer ?? []).some((t) => t.name === 'w_outer'), 'the outer fp32 weight nobody reads is dropped');
    const verification = await verifyModel('quantize-dynamic', original, q.bytes, bothBranches, TOLERANCES.int8);
    assert.ok(verification.passed, JSON.stringify(verification.outputs));
    assert.ok(verification.outputs[0].cosine > 0.999, String(verification.outputs[0].cosine));
  });

  test('dynamic int8 turns a Conv in an If branch (a Conv-only model, as silero) into ConvInteger that agrees with fp32', async () => {
    const original = ifConvModel();
    const q = quantizeDynamic(original);
    assert.deepEqual(q.quantizedNodes, ['then_conv']);
    const ops = opsInSubgraphs(q.bytes);
    assert.ok(ops.includes('ConvInteger') && !ops.includes('Conv'), ops.join(','));
    const feeds = [true, false].map((cond) => ({
      x: { type: 'float32' as const, dims: [1, 2, 16], data: values(32, 0.29) },
      cond: { type: 'bool' as const, dims: [], data: new Uint8Array([cond ? 1 : 0]) },
    }));
    const verification = await verifyModel('quantize-dynamic', original, q.bytes, feeds, TOLERANCES.int8);
    assert.ok(verification.passed, JSON.stringify(verification.outputs));
  });

  test('prune zeros weights read from inside the branches, where they live, and the pruned model computes x·W_pruned', async () => {
    const original = loadModel(ifMatMulModel());
    const { model: pruned, report } = pruneModel(original, { sparsity: 0.5, scope: 'per-layer' });
    assert.deepEqual(report.layers.map((l) => [l.weight, l.zeros]).sort(), [
      ['w_inner', 6],
      ['w_outer', 6],
    ]);
    const scopes = scopedGraphs(pruned.graph!);
    const thenScope = scopes.find((s) => s.graph.name === 'then')!;
    const elseScope = scopes.find((s) => s.graph.name === 'else')!;
    const wOuter = findScopedWeight(thenScope, 'w_outer')!;
    const wInner = findScopedWeight(elseScope, 'w_inner')!;
    assert.equal(wOuter.holder, pruned.graph, 'the outer weight stays in the outer graph');
    assert.equal(wInner.holder, elseScope.graph, 'the branch weight stays in its branch');
    const bias = findScopedWeight(elseScope, 'b_inner')!.data as Float32Array;
    const x = feedsFor(true).x.data as Float32Array;
    for (const [cond, w, b] of [
      [true, wOuter.data as Float32Array, new Float32Array(3)],
      [false, wInner.data as Float32Array, bias],
    ] as const) {
      const out = (await runModel(pruned, feedsFor(cond))).y.data;
      for (let r = 0; r < 5; r++)
        for (let c = 0; c < 3; c++) {
          let sum = b[c];
          for (let k = 0; k < 4; k++) sum += x[r * 4 + k] * w[k * 3 + c];
          assert.ok(Math.abs(Number(out[r * 3 + c]) - sum) < 1e-5, `cond=${cond} [${r},${c}]: ${out[r * 3 + c]} vs ${sum}`);
        }
    }
    const verification = await verifyModel('prune', saveModel(original), saveModel(pruned), bothBranches, TOLERANCES.prune);
    assert.ok(verification.passed, JSON.stringify(verification.outputs));
  });

  test('an inner input shadows an outer initializer of the same name: it is no weight', () => {
    const outer: onnx.IGraphProto = { name: 'outer', initializer: [makeTensor('w', [2, 2], new Float32Array(4))] };
    const inner: onnx.IGraphProto = { name: 'body', input: [info('w', F, [2, 2])] };
    assert.equal(findScopedWeight({ graph: inner, outer: [outer] }, 'w'), undefined);
    assert.equal(findScopedWeight({ graph: { name: 'plain' }, outer: [outer] }, 'w')!.holder, outer);
  });
});
