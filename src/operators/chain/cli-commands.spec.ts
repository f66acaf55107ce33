import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../../common/errors';
import { loadModel } from '../../onnx';
import { linksFor, runPartition } from '../../cli/commands/partition';
import { parseShapeFlags } from '../../cli/commands/input-flags';
import { runEarlyExit } from '../../cli/commands/early-exit';
import { runPrune } from '../../cli/commands/prune';
import { fixtureModels, floatInput, maxAbsDiff, runModel } from '../testing/fixture-models';

const model = fixtureModels().find((p) => p.endsWith('fashion-resnet-identity.onnx'))!;
const dir = mkdtempSync(join(tmpdir(), 'tierwise-cli-'));
const isCode =
  (code: string, mention?: string) =>
  (e: unknown): boolean =>
    e instanceof TierwiseError && e.code === code && (!mention || e.message.includes(mention));

describe('CLI: partition, early-exit, prune', () => {
  test('partition --list-cuts and --cut write a head and tail that compose to the model', async () => {
    await assert.rejects(runPartition(model, { listCuts: true, maxTensors: '1' }), isCode('INPUT_SPEC_REQUIRED', 'dim "N" (axis 0)'));
    const listed = await runPartition(model, { listCuts: true, maxTensors: '1', dim: ['N=1'] });
    assert.equal((listed.cuts as unknown[]).length, 16);
    const [head, tail] = [join(dir, 'head.onnx'), join(dir, 'tail.onnx')];
    const split = await runPartition(model, { cut: '/layers/layers.3/Relu_output_0', output: [head, tail], dim: ['N=2'] });
    const verification = split.verification as {
      passed: boolean;
      outputs: Array<{ relative: number }>;
      inputShapes: Record<string, number[]>;
    };
    assert.equal(verification.passed, true);
    assert.deepEqual(verification.inputShapes, { input: [2, 1, 32, 32] });
    await assert.rejects(
      runPartition(model, { cut: '/layers/layers.3/Relu_output_0', output: [head, tail] }),
      isCode('INPUT_SPEC_REQUIRED', 'dim "N" (axis 0)'),
    );
    const feeds = { input: floatInput([1, 1, 32, 32]) };
    const mid = (await runModel(readFileSync(head), feeds))['/layers/layers.3/Relu_output_0'];
    const out = await runModel(readFileSync(tail), {
      '/layers/layers.3/Relu_output_0': { type: 'float32', dims: [...mid.dims], data: mid.data as Float32Array },
    });
    assert.ok(maxAbsDiff(await runModel(readFileSync(model), feeds), out) <= 1e-5);
  });

  test('partition: bad requests', async () => {
    await assert.rejects(
      runPartition(model, { cut: 'nope', output: ['a', 'b'], dim: ['N=1'] }),
      isCode('PARTITION_TENSOR_UNKNOWN', 'nope'),
    );
    await assert.rejects(
      runPartition(model, { cut: '/layers/layers.3/conv1/Conv_output_0', output: [join(dir, 'a'), join(dir, 'b')], dim: ['N=1'] }),
      isCode('PARTITION_NOT_A_CUT', '/layers/layers.3/conv1/Conv_output_0'),
    );
    await assert.rejects(
      runPartition(model, { cut: '/layers/layers.3/Relu_output_0', output: ['only-one'] }),
      isCode('ARGUMENT_INVALID', '-o'),
    );
    await assert.rejects(runPartition(model, { listCuts: true, search: true }), isCode('ARGUMENT_INVALID'));
    await assert.rejects(runPartition(join(dir, 'missing.onnx'), { listCuts: true }), isCode('MODEL_NOT_FOUND'));
    assert.throws(() => parseShapeFlags(['input=1,x']), isCode('ARGUMENT_INVALID', 'input=1,x'));
    assert.deepEqual(parseShapeFlags(['input=2,1,32,32', 'sr=']), { input: [2, 1, 32, 32], sr: [] });
  });

  test('--mbps applies to every link between the two tiers', () => {
    const mbps = (links: ReturnType<typeof linksFor>): number[] => links.map((l) => l.mbps);
    assert.deepEqual(mbps(linksFor('mobile', 'edge', 10, 0)), [10, 1]);
    assert.deepEqual(mbps(linksFor('edge', 'cloud', 10, 0)), [200, 10]);
    assert.deepEqual(mbps(linksFor('mobile', 'cloud', 10, 5)), [10, 10]);
    assert.ok(linksFor('mobile', 'cloud', undefined, 5).every((l) => l.rttMs === 5));
  });

  test('early-exit --list-blocks / --skip and prune --sparsity', async () => {
    await assert.rejects(runEarlyExit(model, { listBlocks: true }), isCode('INPUT_SPEC_REQUIRED', 'dim "N" (axis 0)'));
    const listed = await runEarlyExit(model, { listBlocks: true, dim: ['N=1'] });
    assert.equal(listed.blocks.length, 6);
    const out = join(dir, 'ee.onnx');
    const ee = await runEarlyExit(model, { skip: '/layers/layers.1/Add,/layers/layers.5/Add', output: out, dim: ['N=1'] });
    assert.equal(ee.verification!.outputs.length, 1);
    assert.ok(ee.verification!.outputs[0].maxAbs > 0, 'bypassing two blocks changes the outputs, and the report says by how much');
    assert.equal(loadModel(readFileSync(out)).graph!.node!.length, 37 - 8);
    await assert.rejects(
      runEarlyExit(model, { skip: '/layers/layers.4/Add', output: out, dim: ['N=1'] }),
      isCode('EARLY_EXIT_BLOCK_NOT_BYPASSABLE', '/layers/layers.4/Add'),
    );
    const pruned = await runPrune(model, { sparsity: '0.5', perLayer: true, output: join(dir, 'p.onnx'), dim: ['N=3'] });
    assert.deepEqual(pruned.verification.inputShapes, { input: [3, 1, 32, 32] });
    assert.ok(
      pruned.verification.outputs[0].cosine < 1 && pruned.verification.outputs[0].cosine > 0.5,
      String(pruned.verification.outputs[0].cosine),
    );
    assert.ok(Math.abs(pruned.realSparsity - 0.5) < 1e-3);
    for (const sparsity of ['1', '-0.2', 'abc', '']) {
      await assert.rejects(runPrune(model, { sparsity, output: join(dir, 'p.onnx') }), isCode('PRUNE_SPARSITY_INVALID'));
    }
  });
});
