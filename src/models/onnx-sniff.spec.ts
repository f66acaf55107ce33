import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../common/paths';
import { looksLikeOnnx } from './onnx-sniff';

test('fixture models look like ONNX', () => {
  const bytes = readFileSync(join(repoRoot(), 'test/fixtures/fashion-resnet/models/fashion-resnet-distilled.onnx'));
  assert.equal(looksLikeOnnx(bytes.subarray(0, 16)), true);
});

test('PNG, JSON, text and empty files do not', () => {
  const png = readFileSync(join(repoRoot(), 'test/fixtures/fashion-resnet/eval-100/Bag/00030.png'));
  assert.equal(looksLikeOnnx(png), false);
  assert.equal(looksLikeOnnx(Buffer.from('{"a":1}')), false);
  assert.equal(looksLikeOnnx(Buffer.from('hello world')), false);
  assert.equal(looksLikeOnnx(new Uint8Array()), false);
});
