import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as tar from 'tar';
import { repoRoot } from '../../common/paths';
import type { TensorSpec } from '../../onnx/io-spec';
import {
  inputTensorBytes,
  inspectDataset,
  loadDataset,
  parsePreprocess,
  validateDatasetForModel,
  type LoadedDataset,
  type PreprocessSpec,
} from './index';
import { buildZip } from './testing/zip-writer';

const fixtures = join(repoRoot(), 'test/fixtures');
const eval100 = join(fixtures, 'fashion-resnet/eval-100');
const text = join(fixtures, 'sentiment-bert');
const work = mkdtempSync(join(tmpdir(), 'tierwise-datasets-spec-'));
after(() => rmSync(work, { recursive: true, force: true }));

const imageSpec = parsePreprocess(JSON.parse(readFileSync(join(fixtures, 'fashion-resnet/preprocess.json'), 'utf8')), '.');
const textSpec = parsePreprocess(JSON.parse(readFileSync(join(text, 'preprocess.json'), 'utf8')), text);
const imageInputs: TensorSpec[] = [{ name: 'input', elemType: 'float32', shape: ['N', 1, 32, 32] }];
const textInputs: TensorSpec[] = [
  { name: 'input_ids', elemType: 'int64', shape: ['N', 128] },
  { name: 'attention_mask', elemType: 'int64', shape: ['N', 128] },
];
const labelsCsv = readFileSync(join(eval100, 'labels.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','));

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`],
  );
}

function byId(dataset: LoadedDataset): Map<string, LoadedDataset['samples'][number]> {
  return new Map(dataset.samples.map((s) => [s.id, s]));
}

describe('image datasets', () => {
  let folder: LoadedDataset;

  test('eval-100 (labels.csv + classes.txt): 100 labelled samples in labels.csv order, payload = PNG bytes', async () => {
    folder = await loadDataset(eval100, { preprocess: imageSpec });
    assert.equal(folder.kind, 'images');
    assert.equal(folder.labelled, true);
    assert.equal(folder.classes?.[0], 'T-shirt_top');
    assert.equal(folder.classes?.length, 10);
    assert.deepEqual(
      folder.samples.map((s) => [s.id, String(s.label)]),
      labelsCsv.map(([file, label]) => [file, label]),
    );
    const first = folder.samples[0];
    assert.equal(first.payloadBytes, statSync(join(eval100, first.id)).size);
    assert.equal(inputTensorBytes(first.inputs), 32 * 32 * 4);
    assert.deepEqual(first.inputs.input.dims, [1, 1, 32, 32]);
  });

  test('the same split as a zip and as a tar.gz, and as ImageFolder without labels.csv, loads identically', async () => {
    const zipPath = join(work, 'eval-100.zip');
    writeFileSync(
      zipPath,
      buildZip(filesUnder(eval100).map((file) => ({ name: `eval-100/${file}`, data: readFileSync(join(eval100, file)) }))),
    );
    const tarPath = join(work, 'eval-100.tar.gz');
    tar.c({ sync: true, gzip: true, file: tarPath, cwd: join(fixtures, 'fashion-resnet'), portable: true }, ['eval-100']);
    const imageFolder = join(work, 'imagefolder');
    cpSync(eval100, imageFolder, { recursive: true });
    rmSync(join(imageFolder, 'labels.csv'));
    const extracted = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('tierwise-dataset-'));
    const before = new Set(extracted());
    for (const path of [zipPath, tarPath, imageFolder]) {
      const loaded = await loadDataset(path, { modelInputs: imageInputs, preprocess: imageSpec });
      assert.equal(loaded.samples.length, 100, path);
      assert.deepEqual(loaded.classes, folder.classes, path);
      const reference = byId(folder);
      for (const sample of loaded.samples) {
        assert.equal(sample.label, reference.get(sample.id)?.label, `${path} ${sample.id}`);
        assert.deepEqual(sample.inputs.input.data, reference.get(sample.id)?.inputs.input.data);
      }
    }
    assert.deepEqual(
      extracted().filter((name) => !before.has(name)),
      [],
      'extracted archives are removed after loading',
    );
  });

  test('ImageFolder without classes.txt uses sorted folder names; flat files without labels are unlabelled', async () => {
    const dir = join(work, 'noclasses');
    mkdirSync(join(dir, 'b_dog'), { recursive: true });
    mkdirSync(join(dir, 'a_cat'));
    copyFileSync(join(eval100, labelsCsv[0][0]), join(dir, 'b_dog/1.png'));
    copyFileSync(join(eval100, labelsCsv[1][0]), join(dir, 'a_cat/2.png'));
    const loaded = await loadDataset(dir, { preprocess: imageSpec });
    assert.deepEqual(loaded.classes, ['a_cat', 'b_dog']);
    assert.deepEqual(
      loaded.samples.map((s) => [s.id, s.label]),
      [
        ['a_cat/2.png', 0],
        ['b_dog/1.png', 1],
      ],
    );
    const flat = join(work, 'flat');
    mkdirSync(flat);
    copyFileSync(join(eval100, labelsCsv[0][0]), join(flat, 'x.png'));
    const unlabelled = await loadDataset(flat, { modelInputs: imageInputs });
    assert.equal(unlabelled.labelled, false);
    assert.equal(unlabelled.samples[0].label, undefined);
    assert.deepEqual(unlabelled.samples[0].inputs.input.dims, [1, 1, 32, 32]);
  });

  test('flat files + labels.csv with names; a labels.csv path leaving the folder is DATASET_UNSAFE', async () => {
    const dir = join(work, 'csv');
    mkdirSync(dir);
    copyFileSync(join(eval100, labelsCsv[0][0]), join(dir, 'a.png'));
    writeFileSync(join(dir, 'labels.csv'), 'a.png,1,yes\n');
    const loaded = await loadDataset(dir, { preprocess: imageSpec, limit: 1 });
    assert.deepEqual(loaded.classes, ['0', 'yes']);
    assert.equal(loaded.samples[0].label, 1);
    writeFileSync(join(dir, 'labels.csv'), 'file,label_index\n../../etc/passwd.png,0\n');
    await assert.rejects(loadDataset(dir, { preprocess: imageSpec }), { code: 'DATASET_UNSAFE', message: /passwd/ });
    writeFileSync(join(dir, 'labels.csv'), 'file,label_index\na.png,x\n');
    await assert.rejects(loadDataset(dir, { preprocess: imageSpec }), { code: 'DATASET_INVALID', message: /line 1 \(a\.png\)/ });
  });
});

describe('text and tensor datasets', () => {
  const reference = JSON.parse(readFileSync(join(text, 'test-100.tokens.json'), 'utf8')) as {
    input_ids: number[][];
    attention_mask: number[][];
    labels: number[];
  };

  test('test-100.jsonl tokenizes to test-100.tokens.json; payload is the UTF-8 text', async () => {
    const loaded = await loadDataset(join(text, 'test-100.jsonl'), { preprocess: textSpec, modelInputs: textInputs });
    assert.equal(loaded.kind, 'text');
    assert.deepEqual(
      loaded.samples.map((s) => s.label),
      reference.labels,
    );
    loaded.samples.forEach((s, i) => {
      assert.deepEqual(Array.from(s.inputs.input_ids.data as BigInt64Array, Number), reference.input_ids[i]);
      assert.deepEqual(Array.from(s.inputs.attention_mask.data as BigInt64Array, Number), reference.attention_mask[i]);
    });
    const firstText = (JSON.parse(readFileSync(join(text, 'test-100.jsonl'), 'utf8').split('\n')[0]) as { text: string }).text;
    assert.equal(loaded.samples[0].payloadBytes, Buffer.byteLength(firstText));
    assert.equal(inputTensorBytes(loaded.samples[0].inputs), 2 * 128 * 8);
  });

  test('without a spec, the tokenizer beside the data and the model inputs decide (only inputs the model has)', async () => {
    const loaded = await loadDataset(join(text, 'test-100.jsonl'), { modelInputs: [textInputs[0]], limit: 5 });
    assert.deepEqual(Object.keys(loaded.samples[0].inputs), ['input_ids']);
    assert.deepEqual(Array.from(loaded.samples[4].inputs.input_ids.data as BigInt64Array, Number), reference.input_ids[4]);
  });

  test('the tensors JSON form of the same data gives the same inputs', async () => {
    const loaded = await loadDataset(join(text, 'test-100.tokens.json'), { modelInputs: textInputs });
    assert.equal(loaded.kind, 'tensors');
    assert.equal(loaded.samples.length, 100);
    assert.deepEqual(
      loaded.samples.map((s) => s.label),
      reference.labels,
    );
    assert.deepEqual(loaded.samples[7].inputs.input_ids.dims, [1, 128]);
    assert.deepEqual(Array.from(loaded.samples[7].inputs.input_ids.data as BigInt64Array, Number), reference.input_ids[7]);
  });

  test('unlabelled JSONL loads; a half-labelled or malformed file is DATASET_INVALID naming the line', async () => {
    const dir = join(work, 'text');
    mkdirSync(dir);
    copyFileSync(join(text, 'vocab.txt'), join(dir, 'vocab.txt'));
    writeFileSync(join(dir, 'data.jsonl'), '{"text": "great"}\n{"text": "awful", "text_pair": "really"}\n');
    const loaded = await loadDataset(dir, { modelInputs: textInputs });
    assert.equal(loaded.labelled, false);
    assert.equal(loaded.samples[1].payloadBytes, 'awfulreally'.length);
    writeFileSync(join(dir, 'data.jsonl'), '{"text": "great", "label": 1}\n{"text": "awful"}\n');
    await assert.rejects(loadDataset(dir, { modelInputs: textInputs }), { code: 'DATASET_INVALID', message: /line 2/ });
    writeFileSync(join(dir, 'data.jsonl'), '{"text": "great", "label": 1}\n{"txt": "awful", "label": 0}\n');
    await assert.rejects(loadDataset(dir, { modelInputs: textInputs }), { code: 'DATASET_INVALID', message: /line 2.*"text"/ });
  });
});

describe('inspection and validation against a model', () => {
  test('inspectDataset counts and lists problems without a model', async () => {
    assert.deepEqual(await inspectDataset(eval100), {
      kind: 'images',
      labelled: true,
      labelKind: 'class',
      sampleCount: 100,
      classes: readFileSync(join(eval100, 'classes.txt'), 'utf8').trim().split('\n'),
      errors: [],
    });
    const text600 = await inspectDataset(join(text, 'test-600.jsonl'));
    assert.deepEqual([text600.kind, text600.labelled, text600.sampleCount, text600.errors], ['text', true, 600, []]);
    const broken = join(work, 'broken');
    mkdirSync(join(broken, 'cat'), { recursive: true });
    writeFileSync(join(broken, 'cat/bad.png'), 'not an image');
    const inspection = await inspectDataset(broken);
    assert.equal(inspection.sampleCount, 1);
    assert.match(inspection.errors[0], /cat\/bad\.png/);
    const evil = join(work, 'evil.zip');
    writeFileSync(evil, buildZip([{ name: 'cat/../../x.png', data: Buffer.from('x') }]));
    await assert.rejects(inspectDataset(evil), { code: 'DATASET_UNSAFE', message: /x\.png/ });
  });

  test('labels out of range, missing inputs and inputs that do not fit are DATASET_MISMATCH', async () => {
    const images = await loadDataset(eval100, { preprocess: imageSpec, limit: 20 });
    assert.doesNotThrow(() => validateDatasetForModel(images, { inputs: imageInputs, classCount: 10 }));
    assert.throws(() => validateDatasetForModel(images, { inputs: imageInputs, classCount: 5 }), {
      code: 'DATASET_MISMATCH',
      status: 422,
      message: /label \d+.*only 5 classes/,
    });
    assert.throws(() => validateDatasetForModel(images, { inputs: [{ name: 'input', elemType: 'float32', shape: ['N', 3, 224, 224] }] }), {
      code: 'DATASET_MISMATCH',
      message: /\[1,1,32,32\].*\[N,3,224,224\]/,
    });
    assert.throws(() => validateDatasetForModel(images, { inputs: textInputs }), {
      code: 'DATASET_MISMATCH',
      message: /no input input_ids/,
    });
    assert.throws(() => validateDatasetForModel(images, { inputs: [{ name: 'input', elemType: 'uint8', shape: null }] }), {
      code: 'DATASET_MISMATCH',
      message: /float32.*uint8/,
    });
    const wrongKind: PreprocessSpec = imageSpec;
    await assert.rejects(loadDataset(join(text, 'test-100.jsonl'), { preprocess: wrongKind }), { code: 'PREPROCESS_INVALID' });
  });
});
