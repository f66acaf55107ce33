import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TierwiseError } from '../common/errors';
import type { ModelView, VariantView } from '../models/model.views';
import { planStudy } from './study-plan';

const sha = (c: string) => c.repeat(64);
const variant = (id: string, operator: string, blob: string): VariantView => ({
  id,
  modelId: 'm',
  operators: [operator],
  origin: 'uploaded',
  status: 'ready',
  sha256: sha(blob),
  sizeBytes: 1,
  params: {},
  notes: null,
  error: null,
  createdAt: '',
});
const model = (variants: VariantView[], ops: Record<string, number> = { Conv: 15, Add: 6, Gemm: 1 }): ModelView => ({
  id: 'm',
  name: 'resnet',
  task: 'classification',
  taskGuessed: false,
  postprocess: {},
  sha256: sha('a'),
  sizeBytes: 1,
  opset: 17,
  irVersion: 8,
  producer: '',
  inputs: [],
  outputs: [],
  paramCount: 1,
  opHistogram: ops,
  createdAt: '',
  variants: [variant('base', 'identity', 'a'), ...variants],
});
const network = { mobileEdgeMbps: 200, edgeCloudMbps: 1, rttMs: 0 };
const chains = (plan: ReturnType<typeof planStudy>) => plan.variants.map((v) => v.operators.join('+'));

describe('planning a study', () => {
  test('by default: every uploaded variant, sptq of each but QAT (so DSPTQ), the applicable black-box operators and partitions', () => {
    const plan = planStudy(model([variant('d', 'distilled', 'b'), variant('q', 'qat', 'c'), variant('p', 'pruned', 'd')]), {
      hasDataset: true,
      network,
    });
    assert.deepEqual(chains(plan), [
      'identity',
      'distilled',
      'qat',
      'pruned',
      'sptq',
      'distilled+sptq',
      'pruned+sptq',
      'prune',
      'early-exit',
      'partition',
      'sptq+partition',
      'partition',
      'sptq+partition',
    ]);
    assert.deepEqual(plan.scenarios, ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud']);
    const dsptq = plan.variants.find((v) => v.operators.join() === 'distilled,sptq')!;
    assert.equal(dsptq.parentKey, sha('b'));
    assert.deepEqual(
      plan.variants.filter((v) => v.partition).map((v) => `${v.partition!.from}|${v.partition!.to}`),
      ['mobile|edge', 'mobile|edge', 'edge|cloud', 'edge|cloud'],
    );
  });

  test('the same chain on the same bytes has the same key; another parameter, another key', () => {
    const a = planStudy(model([]), { hasDataset: true, network, scenarios: ['mobile'] });
    const b = planStudy(model([]), { hasDataset: true, network, scenarios: ['mobile'] });
    const c = planStudy(model([]), { hasDataset: true, network, scenarios: ['mobile'], maxAccuracyDrop: 1 });
    const key = (p: typeof a) => p.variants.find((v) => v.operators.join() === 'sptq')!.key;
    assert.equal(key(a), key(b));
    assert.notEqual(key(a), key(c));
  });

  test('without a dataset there is no sptq; transformers get dynamic int8', () => {
    const plan = planStudy(model([], { MatMul: 24, Add: 20 }), { hasDataset: false, network, scenarios: ['edge'] });
    assert.deepEqual(chains(plan), ['identity', 'dynamic-int8', 'prune', 'early-exit']);
  });

  test('requests that cannot be met name the field', () => {
    const invalid = (field: string) => (e: unknown) =>
      e instanceof TierwiseError && e.code === 'STUDY_INVALID' && e.message.startsWith(`${field}:`);
    assert.throws(() => planStudy(model([]), { hasDataset: false, network, operators: ['sptq'] }), invalid('operators'));
    assert.throws(() => planStudy(model([]), { hasDataset: true, network, operators: ['distilled'] }), invalid('operators'));
    assert.throws(
      () => planStudy(model([]), { hasDataset: true, network, tiers: ['mobile'], scenarios: ['mobile|edge'] }),
      invalid('scenarios'),
    );
    assert.throws(() => planStudy(model([]), { hasDataset: true, network, tiers: ['moon'] }), invalid('tiers'));
  });
});
