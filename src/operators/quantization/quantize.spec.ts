import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../../common/errors';
import type { DatasetSample } from '../../datasets/formats/types';
import { describeModel, loadModel, makeTensor, onnx, openSession, saveModel, toFeeds } from '../../onnx';
import { top1Accuracy } from './accuracy';
import { quantizeAccuracyAware } from './accuracy-aware';
import { quantizeDynamic } from './dynamic-int8';
import { fixtureModelPath, loadFixtureSplit } from '../testing/fixture-samples';
import { buildStatic, calibrateModel, quantizeStatic } from './static-int8';

let work: string;
const imageTeacher = readFileSync(fixtureModelPath('fashion-resnet', 'identity'));
const imageStudent = readFileSync(fixtureModelPath('fashion-resnet', 'distilled'));
const textTeacher = readFileSync(fixtureModelPath('sentiment-bert', 'identity'));
let imageCalib: DatasetSample[];
let imageEval: DatasetSample[];
let textCalib: DatasetSample[];
let textEval: DatasetSample[];

async function optimizedOps(bytes: Uint8Array, name: string): Promise<Record<string, number>> {
  const path = join(work, `${name}.optimized.onnx`);
  const session = await openSession(bytes, { optimizedModelFilePath: path });
  await session.release();
  return describeModel(readFileSync(path)).opHistogram;
}

const rejects =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof TierwiseError && e.code === code && e.status === 400;

describe('int8 quantization of the fixtures', () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'tierwise-quant-'));
    imageCalib = (await loadFixtureSplit('fashion-resnet', 'calib-200', 60)).samples;
    imageEval = (await loadFixtureSplit('fashion-resnet', 'eval-100')).samples;
    textCalib = (await loadFixtureSplit('sentiment-bert', 'calib-200.jsonl', 50)).samples;
    textEval = (await loadFixtureSplit('sentiment-bert', 'test-100.tokens.json')).samples;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('static int8 of the image teacher stays within 1 point and fuses into QLinearConv', async () => {
    const q = await quantizeStatic(imageTeacher, imageCalib, { method: 'minmax', perChannel: true });
    assert.equal(q.quantizedNodes.length, 16, '15 Conv + 1 Gemm');
    const [before, afterQ] = [await top1Accuracy(imageTeacher, imageEval), await top1Accuracy(q.bytes, imageEval)];
    assert.ok(before - afterQ <= 1, `top-1 ${before} -> ${afterQ}`);
    const ops = await optimizedOps(q.bytes, 'image-static');
    assert.equal(ops['com.microsoft::QLinearConv'], 15);
    assert.equal(ops.Conv, undefined, 'no fp32 Conv left');
    assert.ok(q.bytes.length < imageTeacher.length / 3, `size ${q.bytes.length}`);
  });

  test('static and dynamic int8 of the text teacher stay within 1 point and fuse into integer MatMuls', async () => {
    const fp32 = await top1Accuracy(textTeacher, textEval);
    const calibrated = await calibrateModel(textTeacher, textCalib);
    const staticModel = buildStatic(calibrated, { method: 'percentile', perChannel: true });
    const dynamicModel = quantizeDynamic(textTeacher);
    assert.equal(dynamicModel.quantizedNodes.length, 26, '24 encoder MatMuls + pooler and classifier Gemms');
    for (const [label, bytes] of [
      ['static', staticModel.bytes],
      ['dynamic', dynamicModel.bytes],
    ] as const) {
      const acc = await top1Accuracy(bytes, textEval);
      assert.ok(fp32 - acc <= 1, `${label}: ${fp32} -> ${acc}`);
    }
    const staticOps = await optimizedOps(staticModel.bytes, 'text-static');
    assert.equal(staticOps['com.microsoft::MatMulIntegerToFloat'], 24);
    const dynamicOps = await optimizedOps(dynamicModel.bytes, 'text-dynamic');
    assert.ok(
      (dynamicOps['com.microsoft::DynamicQuantizeMatMul'] ?? 0) + (dynamicOps['com.microsoft::MatMulIntegerToFloat'] ?? 0) >= 24,
      JSON.stringify(dynamicOps),
    );
  });

  test('attention MatMuls (QK^T, AV) run as integer kernels with the 1/sqrt(d) folded, within 1 point', async () => {
    const calibrated = await calibrateModel(textTeacher, textCalib);
    const withAttention = buildStatic(calibrated, { method: 'minmax', perChannel: true, quantizeActivationMatMuls: true });
    const without = buildStatic(calibrated, { method: 'minmax', perChannel: true });
    assert.equal(withAttention.quantizedNodes.length, 26 + 8, '26 weighted nodes + QK^T and AV in each of 4 layers');
    assert.equal(without.quantizedNodes.length, 26);
    const on = await optimizedOps(withAttention.bytes, 'text-attention-on');
    const off = await optimizedOps(without.bytes, 'text-attention-off');
    assert.deepEqual([off['com.microsoft::FusedMatMul'], off.MatMul], [4, 4], 'fp32 attention: QK^T with its scale fused, AV plain');
    assert.equal(on['com.microsoft::FusedMatMul'], undefined);
    assert.equal(on.MatMul, undefined, 'no fp32 MatMul left');
    assert.equal(on.Div, undefined, 'the 1/sqrt(d) Div went into a dequantization scale, as FusedMatMul takes it in fp32');
    assert.equal(on['com.microsoft::QLinearMatMul'] ?? on.QLinearMatMul, 4, 'AV: uint8 in and out');
    assert.equal(on['com.microsoft::MatMulIntegerToFloat'], 28);
    const fp32 = await top1Accuracy(textTeacher, textEval);
    const acc = await top1Accuracy(withAttention.bytes, textEval);
    assert.ok(fp32 - acc <= 1, `${fp32} -> ${acc}`);
  });

  test('quantizes weights held in Constant nodes and keeps the dynamic batch dimension', async () => {
    const model = loadModel(imageStudent);
    const graph = model.graph!;
    const moved = graph.initializer!.filter((t) => t.name!.startsWith('onnx::Conv') || t.name === 'fc.weight');
    graph.initializer = graph.initializer!.filter((t) => !moved.includes(t));
    graph.node = [
      ...moved.map((t) =>
        onnx.NodeProto.create({
          opType: 'Constant',
          output: [t.name!],
          attribute: [
            {
              name: 'value',
              type: onnx.AttributeProto.AttributeType.TENSOR,
              t: makeTensor(t.name!, t.dims!.map(Number), new Float32Array(Uint8Array.from(t.rawData!).buffer)),
            },
          ],
        }),
      ),
      ...graph.node!,
    ];
    const constants = saveModel(model);
    const q = await quantizeStatic(constants, imageCalib, { method: 'minmax', perChannel: true });
    assert.equal(q.quantizedNodes.length, 10, '9 Conv + 1 Gemm');
    const quantized = describeModel(q.bytes).opHistogram;
    assert.equal(quantized.Constant, undefined, 'the float Constant weights were replaced');
    assert.ok(Math.abs((await top1Accuracy(q.bytes, imageEval)) - (await top1Accuracy(imageStudent, imageEval))) <= 2);
    const session = await openSession(q.bytes);
    for (const n of [1, 3]) {
      const batch = imageEval.slice(0, n);
      const data = new Float32Array(n * 1024);
      batch.forEach((s, i) => data.set(s.inputs.input.data as Float32Array, i * 1024));
      const out = await session.run(toFeeds({ input: { type: 'float32', dims: [n, 1, 32, 32], data } }));
      assert.deepEqual(out.logits.dims, [n, 10]);
    }
    await session.release();
  });

  test('accuracy-aware mode reports every trial and returns the fastest passing model', async () => {
    const baseline = await top1Accuracy(imageStudent, imageEval);
    const evaluate = (bytes: Uint8Array): Promise<number> => top1Accuracy(bytes, imageEval);
    const ok = await quantizeAccuracyAware(imageStudent, imageCalib, { evaluate, baseline, maxDrop: 2, maxTrials: 4 });
    assert.equal(ok.trials.length, 4);
    const passing = ok.trials.filter((t) => t.passed);
    assert.ok(ok.chosen && ok.bytes && passing.length > 0);
    assert.equal(ok.chosen.latencyMs, Math.min(...passing.map((t) => t.latencyMs!)));
    assert.deepEqual(
      ok.trials.map((t) => [t.method, t.perChannel]),
      [
        ['minmax', true],
        ['percentile', true],
        ['entropy', true],
        ['minmax', false],
      ],
    );

    // A caller's last check (the build's fidelity verification) turns the fastest trial down: the next fastest is chosen.
    let seen = 0;
    const fussy = await quantizeAccuracyAware(imageStudent, imageCalib, {
      evaluate,
      baseline,
      maxDrop: 2,
      maxTrials: 4,
      accept: async () => seen++ > 0,
    });
    const fussyPassing = fussy.trials.filter((t) => t.passed).sort((a, b) => a.latencyMs! - b.latencyMs!);
    if (fussyPassing.length > 1) {
      assert.equal(fussyPassing[0].accepted, false);
      assert.equal(fussy.chosen, fussyPassing[1]);
    }
    const none = await quantizeAccuracyAware(imageStudent, imageCalib, {
      evaluate,
      baseline,
      maxDrop: 2,
      maxTrials: 4,
      accept: async () => false,
    });
    assert.equal(none.bytes, undefined);
    assert.ok(none.trials.filter((t) => t.passed).every((t) => t.accepted === false));

    const impossible = await quantizeAccuracyAware(imageStudent, imageCalib.slice(0, 20), {
      evaluate,
      baseline,
      maxDrop: -50,
      maxTrials: 6,
      methods: ['minmax'],
    });
    assert.equal(impossible.bytes, undefined);
    assert.equal(impossible.sensitivity.length, 10, 'every quantizable node ranked');
    assert.ok(impossible.sensitivity[0].error >= impossible.sensitivity[9].error);
    assert.deepEqual(
      impossible.trials.slice(2).map((t) => t.excluded.length),
      [1, 2, 4, 8],
    );
    assert.equal(impossible.trials[2].excluded[0], impossible.sensitivity[0].node);
  });

  test('bad inputs fail with clear errors', async () => {
    await assert.rejects(
      quantizeStatic(readFileSync(fixtureModelPath('fashion-resnet', 'qat')), imageCalib, { method: 'minmax', perChannel: true }),
      (e: unknown) => rejects('NOT_QUANTIZABLE')(e) && /already quantized/.test((e as Error).message),
    );
    const addOnly = saveModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'add',
        node: [{ opType: 'Add', input: ['input', 'input'], output: ['logits'] }],
        input: [
          {
            name: 'input',
            type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }, { dimValue: 32 }, { dimValue: 32 }] } } },
          },
        ],
        output: [{ name: 'logits', type: { tensorType: { elemType: 1 } } }],
      },
    });
    await assert.rejects(quantizeStatic(addOnly, imageCalib, { method: 'minmax', perChannel: true }), rejects('NOT_QUANTIZABLE'));
    assert.throws(() => quantizeDynamic(addOnly), rejects('NOT_QUANTIZABLE'));
    await assert.rejects(quantizeStatic(imageTeacher, [], { method: 'minmax', perChannel: true }), rejects('CALIBRATION_EMPTY'));
    await assert.rejects(
      quantizeStatic(imageTeacher, textCalib.slice(0, 2), { method: 'minmax', perChannel: true }),
      (e: unknown) => rejects('CALIBRATION_INPUT_MISMATCH')(e) && /"input"/.test((e as Error).message),
    );
    const wrongShape = [
      { ...imageCalib[0], inputs: { input: { ...imageCalib[0].inputs.input, dims: [1, 1, 28, 28], data: new Float32Array(784) } } },
    ];
    await assert.rejects(
      quantizeStatic(imageTeacher, wrongShape, { method: 'minmax', perChannel: true }),
      (e: unknown) => rejects('CALIBRATION_INPUT_MISMATCH')(e) && /\[1,1,28,28\]/.test((e as Error).message),
    );
    await assert.rejects(
      quantizeStatic(new Uint8Array([1, 2, 3]), imageCalib, { method: 'minmax', perChannel: true }),
      rejects('MODEL_CORRUPT'),
    );
  });
});
