import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';
import { loadModel, loadModelFromFile, onnx, saveModel, saveModelToFile } from './model-io';
import { makeTensor, tensorToArray } from './tensor';
import { describeModel } from './describe';
import { openSession, ort } from './runtime';

const F = onnx.TensorProto.DataType.FLOAT;

/** y = x · W + b with W [4, 300] (4800 bytes: goes external) and b [300] (1200 bytes) and a tiny scale (stays). */
function smallModel(): onnx.ModelProto {
  const w = Float32Array.from({ length: 4 * 300 }, (_, i) => Math.sin(i) / 7);
  const b = Float32Array.from({ length: 300 }, (_, i) => i / 100);
  const info = (name: string, dims: Array<number | string>): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return loadModel(
    saveModel({
      irVersion: 8,
      producerName: 'tierwise-test',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'external',
        input: [info('x', ['N', 4])],
        output: [info('y', ['N', 300])],
        initializer: [makeTensor('W', [4, 300], w), makeTensor('b', [300], b), makeTensor('s', [], Float32Array.from([2]))],
        node: [
          { opType: 'MatMul', input: ['x', 'W'], output: ['xw'] },
          { opType: 'Add', input: ['xw', 'b'], output: ['xwb'] },
          { opType: 'Mul', input: ['xwb', 's'], output: ['y'] },
        ],
      },
    }),
  );
}

async function run(source: Uint8Array | string): Promise<Float32Array> {
  const session = await openSession(source, { optimization: 'disabled', threads: 1 });
  try {
    const x = new ort.Tensor('float32', Float32Array.from([1, -2, 0.5, 3, 0, 1, 1, -1]), [2, 4]);
    return (await session.run({ x })).y.data as Float32Array;
  } finally {
    await session.release();
  }
}

function isCode(code: string, pattern?: RegExp) {
  return (e: unknown) => e instanceof TierwiseError && e.code === code && (!pattern || pattern.test(e.message));
}

describe('external data', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tierwise-extdata-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a model split into .onnx + .data loads back equal and runs the same as the embedded one', async () => {
    const model = smallModel();
    const embedded = saveModel(model);
    const folder = join(dir, 'split');
    mkdirSync(folder);
    const saved = saveModelToFile(model, join(folder, 'model.onnx'), { externalData: true });
    assert.equal(saved.externalTensors, 2); // W and b; the scalar stays embedded
    assert.equal(saved.dataPath, join(folder, 'model.onnx.data'));
    assert.equal(statSync(saved.dataPath!).size, 4800 + 1200);
    assert.equal(saved.dataBytes, 6000);
    // The caller's model is untouched.
    assert.equal(Buffer.compare(Buffer.from(saveModel(model)), Buffer.from(embedded)), 0);

    const onDisk = loadModel(readFileSync(join(folder, 'model.onnx')));
    const w = onDisk.graph!.initializer!.find((t) => t.name === 'W')!;
    assert.equal(w.dataLocation, onnx.TensorProto.DataLocation.EXTERNAL);
    assert.deepEqual(
      w.externalData!.map((e) => [e.key, e.value]),
      [
        ['location', 'model.onnx.data'],
        ['offset', '0'],
        ['length', '4800'],
      ],
    );
    assert.equal(describeModel(readFileSync(join(folder, 'model.onnx'))).externalData, true);
    assert.throws(() => tensorToArray(w), isCode('MODEL_EXTERNAL_DATA'));
    assert.ok(statSync(join(folder, 'model.onnx')).size < 1000);

    const loaded = loadModelFromFile(join(folder, 'model.onnx'));
    assert.equal(Buffer.compare(Buffer.from(saveModel(loaded)), Buffer.from(embedded)), 0, 'inlined model encodes as the original');
    const expected = await run(embedded);
    assert.deepEqual([...(await run(join(folder, 'model.onnx')))], [...expected], 'onnxruntime reading the data file itself');
    assert.deepEqual([...(await run(saveModel(loaded)))], [...expected]);
  });

  test('tensors of 1 MiB or more start on 64 KiB boundaries, and onnxruntime reads them from the file', async () => {
    const folder = join(dir, 'aligned');
    mkdirSync(folder);
    const big = (seed: number) => Float32Array.from({ length: 300_000 }, (_, i) => ((i * seed) % 97) / 97);
    const F32 = (name: string): onnx.IValueInfoProto => ({
      name,
      type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: 300_000 }] } } },
    });
    const model = loadModel(
      saveModel({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 17 }],
        graph: {
          name: 'aligned',
          input: [F32('x')],
          output: [F32('y')],
          initializer: [
            makeTensor('small', [300], new Float32Array(300).fill(1)),
            makeTensor('a', [300_000], big(3)),
            makeTensor('b', [300_000], big(7)),
          ],
          node: [
            { opType: 'Add', input: ['x', 'a'], output: ['xa'] },
            { opType: 'Mul', input: ['xa', 'b'], output: ['y'] },
          ],
        },
      }),
    );
    const saved = saveModelToFile(model, join(folder, 'm.onnx'), { externalData: true });
    const offsets = loadModel(readFileSync(join(folder, 'm.onnx'))).graph!.initializer!.map((t) =>
      Number(t.externalData!.find((e) => e.key === 'offset')!.value),
    );
    assert.deepEqual(offsets, [0, 65536, 65536 + 1_245_184]); // 1.2 MB = 18.3 × 64 KiB → next boundary at 19 × 64 KiB
    assert.equal(saved.dataBytes, 65536 + 1_245_184 + 1_200_000);
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 300_000 }, (_, i) => i % 5),
      [300_000],
    );
    const outputs: Float32Array[] = [];
    for (const source of [saveModel(model), join(folder, 'm.onnx')]) {
      const session = await openSession(source, { optimization: 'disabled', threads: 1 });
      outputs.push((await session.run({ x })).y.data as Float32Array);
      await session.release();
    }
    assert.equal(Buffer.compare(Buffer.from(outputs[0].buffer), Buffer.from(outputs[1].buffer)), 0);
  });

  test('offset and length select bytes inside a shared data file', () => {
    const folder = join(dir, 'offsets');
    mkdirSync(folder);
    const values = Float32Array.from([1.5, -2, 3.25]);
    const blob = new Uint8Array(10 + values.byteLength + 6);
    blob.set(new Uint8Array(values.buffer), 10);
    writeFileSync(join(folder, 'weights.bin'), blob);
    const model = withExternal(
      folder,
      'm.onnx',
      [3],
      [
        ['location', 'weights.bin'],
        ['offset', '10'],
        ['length', '12'],
      ],
    );
    const loaded = loadModelFromFile(model);
    assert.deepEqual([...tensorToArray(loaded.graph!.initializer![0])], [1.5, -2, 3.25]);
    // Length defaults to what the shape needs.
    const noLength = withExternal(
      folder,
      'n.onnx',
      [3],
      [
        ['location', 'weights.bin'],
        ['offset', '10'],
      ],
    );
    assert.deepEqual([...tensorToArray(loadModelFromFile(noLength).graph!.initializer![0])], [1.5, -2, 3.25]);
    // A range past the end of the file, or a length that does not fit the shape, is MODEL_CORRUPT.
    assert.throws(
      () =>
        loadModelFromFile(
          withExternal(
            folder,
            'o.onnx',
            [3],
            [
              ['location', 'weights.bin'],
              ['offset', '20'],
              ['length', '12'],
            ],
          ),
        ),
      isCode('MODEL_CORRUPT', /holds 28 bytes/),
    );
    assert.throws(
      () =>
        loadModelFromFile(
          withExternal(
            folder,
            'p.onnx',
            [3],
            [
              ['location', 'weights.bin'],
              ['length', '8'],
            ],
          ),
        ),
      isCode('MODEL_CORRUPT', /does not fit/),
    );
    assert.throws(
      () =>
        loadModelFromFile(
          withExternal(
            folder,
            'q.onnx',
            [3],
            [
              ['location', 'weights.bin'],
              ['offset', '-1'],
            ],
          ),
        ),
      isCode('MODEL_CORRUPT'),
    );
    // Overlapping ranges that add up to more than the file holds (memory amplification) are refused.
    const overlapping = loadModel(
      readFileSync(
        withExternal(
          folder,
          'r.onnx',
          [3],
          [
            ['location', 'weights.bin'],
            ['offset', '10'],
          ],
        ),
      ),
    );
    const template = overlapping.graph!.initializer![0];
    overlapping.graph!.initializer = [0, 1, 2, 3, 4, 5].map((i) =>
      onnx.TensorProto.create({
        ...template,
        name: `w${i}`,
        externalData: [
          { key: 'location', value: 'weights.bin' },
          { key: 'offset', value: String(i) },
        ],
      }),
    );
    writeFileSync(join(folder, 'r.onnx'), saveModel(overlapping));
    assert.throws(() => loadModelFromFile(join(folder, 'r.onnx')), isCode('MODEL_CORRUPT', /ranges overlap/));
  });

  test('locations that escape the model folder are refused with MODEL_EXTERNAL_DATA_PATH', () => {
    const folder = join(dir, 'escape');
    const outside = join(dir, 'outside');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.bin'), new Uint8Array(12));
    writeFileSync(join(folder, 'sub', 'ok.bin'), new Uint8Array(12));
    symlinkSync(join(outside, 'secret.bin'), join(folder, 'link.bin'));
    symlinkSync(outside, join(folder, 'linkdir'));
    symlinkSync(join(folder, 'sub', 'ok.bin'), join(folder, 'inside-link.bin'));
    const cases: Array<[string, RegExp]> = [
      [join(outside, 'secret.bin'), /is absolute/],
      ['../outside/secret.bin', /climbs out/],
      ['sub/../../outside/secret.bin', /climbs out/],
      ['..\\outside\\secret.bin', /climbs out/],
      ['C:\\secret.bin', /is absolute/],
      ['link.bin', /outside the folder/],
      ['linkdir/secret.bin', /outside the folder/],
      ['', /is empty/],
      ['sub', /not a regular file/],
    ];
    for (const [location, why] of cases) {
      const path = withExternal(folder, 'm.onnx', [3], [['location', location]]);
      assert.throws(() => loadModelFromFile(path), isCode('MODEL_EXTERNAL_DATA_PATH', why), `location ${JSON.stringify(location)}`);
    }
    assert.throws(
      () => loadModelFromFile(withExternal(folder, 'm.onnx', [3], [['location', 'missing.bin']])),
      isCode('MODEL_EXTERNAL_DATA_MISSING', /missing\.bin/),
    );
    // Inside the folder, through a subfolder or a symlink that stays inside, is fine.
    for (const location of ['sub/ok.bin', './sub/ok.bin', 'inside-link.bin']) {
      assert.deepEqual(
        [...tensorToArray(loadModelFromFile(withExternal(folder, 'm.onnx', [3], [['location', location]])).graph!.initializer![0])],
        [0, 0, 0],
      );
    }
    // externalDataDir points the locations elsewhere (e.g. an extracted archive's folder).
    assert.deepEqual(
      [
        ...tensorToArray(
          loadModelFromFile(withExternal(folder, 'm.onnx', [3], [['location', 'secret.bin']]), { externalDataDir: outside }).graph!
            .initializer![0],
        ),
      ],
      [0, 0, 0],
    );
  });

  test('saving refuses a data file name with a path and a model still pointing at external files', () => {
    assert.throws(
      () => saveModelToFile(smallModel(), join(dir, 'x.onnx'), { externalData: true, location: '../x.data' }),
      isCode('MODEL_EXTERNAL_DATA_PATH'),
    );
    const folder = join(dir, 'still');
    mkdirSync(folder);
    const external = loadModel(readFileSync(withExternal(folder, 'm.onnx', [3], [['location', 'w.bin']])));
    assert.throws(() => saveModelToFile(external, join(folder, 'again.onnx')), isCode('MODEL_EXTERNAL_DATA'));
    // 'auto' splits a model whose embedded form is over the limit (2 GiB by default; lowered here).
    const auto = saveModelToFile(smallModel(), join(folder, 'auto.onnx'), { maxEmbeddedBytes: 5000 });
    assert.equal(auto.externalTensors, 2);
    assert.equal(
      Buffer.compare(Buffer.from(saveModel(loadModelFromFile(join(folder, 'auto.onnx')))), Buffer.from(saveModel(smallModel()))),
      0,
    );
    assert.throws(
      () => saveModelToFile(smallModel(), join(folder, 'never.onnx'), { externalData: false, maxEmbeddedBytes: 5000 }),
      isCode('MODEL_TOO_LARGE'),
    );
    // Without asking, a small model stays one file.
    const plain = saveModelToFile(smallModel(), join(folder, 'plain.onnx'));
    assert.equal(plain.dataPath, undefined);
    assert.equal(Buffer.compare(readFileSync(join(folder, 'plain.onnx')), Buffer.from(saveModel(smallModel()))), 0);
  });
});

/** Writes `<folder>/<name>`: an Identity model whose one float initializer has the given external_data entries. */
function withExternal(folder: string, name: string, dims: number[], entries: Array<[string, string]>): string {
  const bytes = saveModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'ext',
      initializer: [
        {
          name: 'w',
          dims,
          dataType: F,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: entries.map(([key, value]) => ({ key, value })),
        },
      ],
      node: [{ opType: 'Identity', input: ['w'], output: ['y'] }],
      output: [{ name: 'y', type: { tensorType: { elemType: F } } }],
    },
  });
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}
