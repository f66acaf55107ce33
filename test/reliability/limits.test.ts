import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePreprocess } from '../../src/datasets/formats/preprocess-spec';

describe('reliability: a preprocess spec cannot ask for unbounded work', () => {
  const refused: Array<[string, unknown]> = [
    ['pad_to 4000x4000 is fine but 16000 is not', { kind: 'images', pad_to: [16000, 16000] }],
    ['resize to 100000', { kind: 'images', resize: 100000 }],
    ['resize to [64, 50000]', { kind: 'images', resize: [64, 50000] }],
    ['center crop 1e6', { kind: 'images', center_crop: 1e6 }],
    ['maxLength 10 million', { kind: 'text', tokenizer: 'wordpiece', vocab: 'vocab.txt', max_length: 10_000_000 }],
  ];
  for (const [name, spec] of refused) {
    test(name, () =>
      assert.throws(() => parsePreprocess(spec, '/tmp', { untrusted: true }), { code: 'PREPROCESS_INVALID', message: /at most|from 2 to/ }),
    );
  }
  test('sizes within the limits are accepted', () => {
    const spec = parsePreprocess({ kind: 'images', pad_to: [4000, 4000], resize: 224 }, '/tmp');
    assert.deepEqual(spec.kind === 'images' && [spec.padTo, spec.resize], [[4000, 4000], 224]);
  });
});
