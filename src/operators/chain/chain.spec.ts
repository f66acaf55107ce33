import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TierwiseError } from '../../common/errors';
import type { DatasetSample } from '../../datasets/formats/types';
import type { InputTensor } from '../../onnx/io-spec';
import { loadModel } from '../../onnx';
import { loadFixtureSplit } from '../testing/fixture-samples';
import { fixtureModels, floatInput, maxAbsDiff, runModel } from '../testing/fixture-models';
import { applyChain, chainKey, memoryChainCache, sha256Hex } from './index';

const fixtureBytes = (suffix: string): Uint8Array => readFileSync(fixtureModels().find((p) => p.endsWith(suffix))!);
const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof TierwiseError && e.code === code;
let calibration: DatasetSample[] | undefined;
const calib = async (): Promise<DatasetSample[]> => (calibration ??= (await loadFixtureSplit('fashion-resnet', 'calib-200', 16)).samples);

describe('operator chains', () => {
  test('chainKey: canonical in parameter order, sensitive to input, params and step order', () => {
    const sha = sha256Hex('model');
    const a = chainKey(sha, [
      { operator: 'prune', params: { sparsity: 0.5, scope: 'global' } },
      { operator: 'sptq', params: { method: 'minmax', perChannel: true } },
    ]);
    const b = chainKey(sha, [
      { operator: 'prune', params: { scope: 'global', sparsity: 0.5 } },
      { operator: 'sptq', params: { perChannel: true, method: 'minmax' } },
    ]);
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(
      a,
      chainKey(sha256Hex('other'), [
        { operator: 'prune', params: { sparsity: 0.5, scope: 'global' } },
        { operator: 'sptq', params: { method: 'minmax', perChannel: true } },
      ]),
    );
    assert.notEqual(
      a,
      chainKey(sha, [
        { operator: 'prune', params: { sparsity: 0.6, scope: 'global' } },
        { operator: 'sptq', params: { method: 'minmax', perChannel: true } },
      ]),
    );
    assert.notEqual(
      a,
      chainKey(sha, [
        { operator: 'sptq', params: { method: 'minmax', perChannel: true } },
        { operator: 'prune', params: { sparsity: 0.5, scope: 'global' } },
      ]),
    );
    assert.throws(() => chainKey('abc', []), isCode('CHAIN_INPUT_INVALID'));
  });

  test('early-exit∘… then sptq: built once, recorded, and a shared prefix is reused', async () => {
    const cache = memoryChainCache();
    const base = { bytes: fixtureBytes('fashion-resnet-identity.onnx') };
    const steps = [
      { operator: 'early-exit', params: { skip: ['/layers/layers.3/Add'] } },
      { operator: 'sptq', params: { method: 'minmax' } },
    ];
    const first = await applyChain(base, steps, { calibration: await calib() }, cache);
    assert.deepEqual(first.chain, ['early-exit', 'sptq']);
    assert.equal(first.label, 'sptq∘early-exit');
    assert.deepEqual(
      first.steps.map((s) => s.cached),
      [false, false],
    );
    const model = loadModel(first.bytes!);
    const ops = model.graph!.node!.map((n) => n.opType);
    assert.equal(ops.filter((o) => o === 'Conv').length, 13);
    assert.ok(ops.filter((o) => o === 'QuantizeLinear').length > 10);
    assert.deepEqual((await runModel(model, { input: floatInput([1, 1, 32, 32]) })).logits.dims, [1, 10]);
    const again = await applyChain(base, steps, { calibration: await calib() }, cache);
    assert.deepEqual(
      again.steps.map((s) => s.cached),
      [true, true],
    );
    assert.equal(again.key, first.key);
    assert.equal(sha256Hex(again.bytes!), sha256Hex(first.bytes!));
    const sibling = await applyChain(base, [steps[0], { operator: 'prune', params: { sparsity: 0.5 } }], {}, cache);
    assert.deepEqual(
      sibling.steps.map((s) => s.cached),
      [true, false],
    );
    assert.equal(cache.size(), 3);
  });

  test('sptq∘distilled (DSPTQ) and partition∘sptq: the split halves reproduce the quantized model', async () => {
    const dsptq = await applyChain(
      { bytes: fixtureBytes('fashion-resnet-distilled.onnx'), operators: ['distilled'] },
      [{ operator: 'sptq' }],
      { calibration: await calib() },
    );
    assert.deepEqual(dsptq.chain, ['distilled', 'sptq']);
    assert.equal(dsptq.label, 'sptq∘distilled');
    const split = await applyChain({ bytes: dsptq.bytes!, operators: dsptq.chain }, [
      { operator: 'partition', params: { cut: ['/layers/layers.1/Relu_output_0'] } },
    ]);
    assert.equal(split.label, 'partition∘sptq∘distilled');
    const feeds = { input: floatInput([2, 1, 32, 32]) };
    const head = await runModel(split.parts!.head, feeds, 'disabled');
    const cut = head['/layers/layers.1/Relu_output_0'];
    const tailFeeds: Record<string, InputTensor> = {
      '/layers/layers.1/Relu_output_0': { type: 'float32', dims: [...cut.dims], data: cut.data as Float32Array },
    };
    assert.equal(maxAbsDiff(await runModel(dsptq.bytes!, feeds, 'disabled'), await runModel(split.parts!.tail, tailFeeds, 'disabled')), 0);
  });

  test('bad chains: unknown operator, partition before the end, sptq without calibration, invalid sparsity', async () => {
    const base = { bytes: fixtureBytes('fashion-resnet-distilled.onnx') };
    await assert.rejects(applyChain(base, [{ operator: 'magic' }]), isCode('CHAIN_OPERATOR_UNKNOWN'));
    await assert.rejects(
      applyChain(base, [{ operator: 'partition', params: { cut: ['x'] } }, { operator: 'sptq' }]),
      isCode('CHAIN_INVALID'),
    );
    await assert.rejects(applyChain(base, [{ operator: 'sptq' }]), isCode('CHAIN_CONTEXT_MISSING'));
    await assert.rejects(applyChain(base, [{ operator: 'prune', params: { sparsity: 1 } }]), isCode('PRUNE_SPARSITY_INVALID'));
  });
});
