import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { repoRoot } from '../../common/paths';
import { imageToTensor } from './image-preprocess';
import { parsePreprocess, suggestPreprocess, type ImagePreprocessSpec } from './preprocess-spec';
import { decodeGrayPng } from './testing/png-reference';

const fixtures = join(repoRoot(), 'test/fixtures');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('preprocess specs', () => {
  test('reads the fashion fixture preprocess.json as is', () => {
    const spec = parsePreprocess(readJson(join(fixtures, 'fashion-resnet/preprocess.json')), join(fixtures, 'fashion-resnet'));
    assert.deepEqual(spec, {
      kind: 'images',
      input: 'input',
      layout: 'NCHW',
      channels: 1,
      resize: null,
      centerCrop: null,
      padTo: [32, 32],
      padValue: 0,
      scale: 1 / 255,
      mean: [0.286],
      std: [0.353],
      dtype: 'float32',
    });
  });

  test('reads the text fixture preprocess.json, resolving vocab.txt against its folder', () => {
    const spec = parsePreprocess(readJson(join(fixtures, 'sentiment-bert/preprocess.json')), join(fixtures, 'sentiment-bert'));
    assert.equal(spec.kind, 'text');
    if (spec.kind !== 'text') return;
    assert.deepEqual(spec.tokenizer, {
      type: 'wordpiece',
      vocabPath: join(fixtures, 'sentiment-bert/vocab.txt'),
      lowercase: true,
      stripAccents: true,
    });
    assert.equal(spec.maxLength, 128);
    assert.deepEqual(spec.inputs, { input_ids: 'input_ids', attention_mask: 'attention_mask' });
  });

  test('a parsed spec parses to itself (it can be stored and sent to the runner)', () => {
    for (const family of ['fashion-resnet', 'sentiment-bert']) {
      const spec = parsePreprocess(readJson(join(fixtures, family, 'preprocess.json')), join(fixtures, family));
      assert.deepEqual(parsePreprocess(JSON.parse(JSON.stringify(spec)), '/elsewhere'), spec);
    }
  });

  test('rejects bad values with PREPROCESS_INVALID naming the field', () => {
    assert.throws(() => parsePreprocess({ layout: 'CHWN' }, '.'), { code: 'PREPROCESS_INVALID', message: /layout/ });
    assert.throws(() => parsePreprocess({ channels: 3, mean: [0.1, 0.2] }, '.'), { code: 'PREPROCESS_INVALID', message: /mean/ });
    assert.throws(() => parsePreprocess({ kind: 'text', tokenizer: 'wordpiece' }, '.'), {
      code: 'PREPROCESS_INVALID',
      message: /tokenizer/,
    });
  });

  test('suggests image and text preprocessing from model inputs', () => {
    const image = suggestPreprocess([{ name: 'pixel_values', elemType: 'float32', shape: ['batch', 3, 224, 224] }]);
    assert.deepEqual(image, {
      kind: 'images',
      input: 'pixel_values',
      layout: 'NCHW',
      channels: 3,
      resize: [224, 224],
      centerCrop: null,
      padTo: null,
      padValue: 0,
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      dtype: 'float32',
    });
    const nhwc = suggestPreprocess([{ name: 'x', elemType: 'uint8', shape: [1, 96, 96, 3] }]) as ImagePreprocessSpec;
    assert.equal(nhwc.layout, 'NHWC');
    assert.equal(nhwc.scale, 1);
    const tokenizer = { type: 'wordpiece' as const, vocabPath: 'v.txt', lowercase: true, stripAccents: true };
    const text = suggestPreprocess(
      [
        { name: 'input_ids', elemType: 'int64', shape: ['N', 64] },
        { name: 'token_type_ids', elemType: 'int64', shape: ['N', 64] },
      ],
      tokenizer,
    );
    assert.equal(text.kind, 'text');
    if (text.kind === 'text') {
      assert.equal(text.maxLength, 64);
      assert.deepEqual(text.inputs, { input_ids: 'input_ids', token_type_ids: 'token_type_ids' });
    }
    assert.throws(() => suggestPreprocess([{ name: 'input_ids', elemType: 'int64', shape: ['N', 128] }]), { code: 'DATASET_INVALID' });
    assert.throws(() => suggestPreprocess([{ name: 'x', elemType: 'float32', shape: ['N', 7] }]), { code: 'DATASET_MISMATCH' });
  });
});

describe('image preprocessing', () => {
  const spec = parsePreprocess(readJson(join(fixtures, 'fashion-resnet/preprocess.json')), '.') as ImagePreprocessSpec;

  test('reproduces preprocess.json exactly: 2 px zero padding, (p/255 - 0.286) / 0.353, NCHW float32', async () => {
    for (const file of ['eval-100/Bag/00018.png', 'eval-100/Ankle_boot/00000.png', 'eval-100/Trouser/00002.png']) {
      const path = join(fixtures, 'fashion-resnet', file);
      const tensor = await imageToTensor(readFileSync(path), spec, file);
      assert.deepEqual(tensor.dims, [1, 1, 32, 32]);
      assert.equal(tensor.type, 'float32');
      const { width, height, pixels } = decodeGrayPng(path);
      assert.equal(width, 28);
      assert.equal(height, 28);
      const expected = new Float32Array(32 * 32).fill((0 - 0.286) / 0.353);
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) expected[(y + 2) * 32 + x + 2] = (pixels[y * 28 + x] * (1 / 255) - 0.286) / 0.353;
      assert.deepEqual(tensor.data, expected, file);
    }
    assert.equal(Math.fround((0 - 0.286) / 0.353).toFixed(4), '-0.8102');
  });

  test('resizes, centre-crops, converts to RGB and lays out NHWC', async () => {
    const red = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const rgb: ImagePreprocessSpec = {
      ...spec,
      channels: 3,
      resize: 16,
      centerCrop: [16, 16],
      padTo: null,
      layout: 'NHWC',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      dtype: 'uint8',
    };
    const tensor = await imageToTensor(red, rgb, 'red.png');
    assert.deepEqual(tensor.dims, [1, 16, 16, 3]);
    assert.deepEqual(Array.from(tensor.data as Uint8Array).slice(0, 6), [255, 0, 0, 255, 0, 0]);
    const grey = await imageToTensor(
      red,
      { ...rgb, channels: 1, mean: [0], std: [1], resize: [8, 4], centerCrop: null, layout: 'NCHW' },
      'red.png',
    );
    assert.deepEqual(grey.dims, [1, 1, 8, 4]);
  });

  test('an undecodable image is DATASET_INVALID naming the file', async () => {
    await assert.rejects(imageToTensor(Buffer.from('not a png'), spec, 'cat/broken.png'), {
      code: 'DATASET_INVALID',
      message: /cat\/broken\.png/,
    });
  });
});
