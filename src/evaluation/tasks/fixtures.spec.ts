import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../common/paths';
import { evaluateRequest, type EvaluationReport } from '../index';

const fixtures = join(repoRoot(), 'test/fixtures');
const read = (path: string): Record<string, any> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

function request(name: string, split: string, extra: Record<string, unknown> = {}) {
  const dir = join(fixtures, name);
  return {
    modelPath: join(dir, 'models', `${name}.onnx`),
    datasetPath: join(dir, split),
    preprocessPath: join(dir, 'preprocess.json'),
    postprocess: existsSync(join(dir, 'postprocess.json')) ? read(join(dir, 'postprocess.json')) : undefined,
    ...extra,
  };
}

describe('tierwise eval reproduces each fixture’s reference metric', () => {
  test('shapes-detector: mAP@0.5 and mAP@[.5:.95] within 0.005 of pycocotools', async (t) => {
    const reference = read(join(fixtures, 'shapes-detector/reference.json'));
    const report = await evaluateRequest({ ...request('shapes-detector', 'eval-100'), task: 'detection' });
    const d = report.taskMetrics!.detection!;
    t.diagnostic(`mAP@0.5 ${d.map50.value} (ref ${reference.map50}), mAP@[.5:.95] ${d.map5095.value} (ref ${reference.map5095})`);
    assert.ok(Math.abs(d.map50.value - reference.map50) < 0.005);
    assert.ok(Math.abs(d.map5095.value - reference.map5095) < 0.005);
    assert.equal(d.map50.n, 100);
    assert.ok(d.map50.low <= d.map50.value && d.map50.value <= d.map50.high);
    assert.equal(report.primary?.metric, 'map50');
    assert.equal(report.taskGuessed, false);
  });

  test('shapes-detector: YOLO txt labels give the same mAP as its COCO JSON', async () => {
    const { cpSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tierwise-yolo-'));
    cpSync(join(fixtures, 'shapes-detector/eval-100/images'), join(dir, 'images'), { recursive: true });
    cpSync(join(fixtures, 'shapes-detector/eval-100/labels'), join(dir, 'labels'), { recursive: true });
    const coco = await evaluateRequest({ ...request('shapes-detector', 'eval-100'), task: 'detection' });
    const yolo = await evaluateRequest({ ...request('shapes-detector', 'eval-100'), datasetPath: dir, task: 'detection' });
    assert.ok(Math.abs(yolo.primary!.value - coco.primary!.value) < 1e-3, `${yolo.primary!.value} vs ${coco.primary!.value}`);
  });

  test('shapes-segmenter: mIoU and pixel accuracy equal the reference', async (t) => {
    const reference = read(join(fixtures, 'shapes-segmenter/reference.json'));
    const report = await evaluateRequest(request('shapes-segmenter', 'eval-50'));
    const s = report.taskMetrics!.segmentation!;
    t.diagnostic(`mIoU ${s.miou.value} (ref ${reference.miou}), pixel accuracy ${s.pixelAccuracy.value} (ref ${reference.pixel_accuracy})`);
    assert.equal(report.task, 'segmentation');
    assert.ok(Math.abs(s.miou.value - reference.miou) < 1e-6);
    assert.ok(Math.abs(s.pixelAccuracy.value - reference.pixel_accuracy) < 1e-6);
  });

  test('linear-heads: regression MAE, RMSE and R², multilabel micro/macro F1 equal the numpy reference', async (t) => {
    const dir = join(fixtures, 'linear-heads');
    const reference = read(join(dir, 'reference.json'));
    const regression = await evaluateRequest({
      modelPath: join(dir, 'models/linear-regression.onnx'),
      datasetPath: join(dir, 'eval-regression.json'),
      task: 'regression',
    });
    const r = regression.taskMetrics!.regression!;
    t.diagnostic(
      `MAE ${r.mae.value} (ref ${reference.regression.mae}), RMSE ${r.rmse.value}, R² ${r.r2.value} (ref ${reference.regression.r2})`,
    );
    assert.ok(Math.abs(r.mae.value - reference.regression.mae) < 1e-5);
    assert.ok(Math.abs(r.rmse.value - reference.regression.rmse) < 1e-5);
    assert.ok(Math.abs(r.r2.value - reference.regression.r2) < 1e-5);
    assert.deepEqual([regression.primary?.metric, regression.primary?.n, r.values], ['r2', 60, 3]);
    assert.ok(r.mae.low <= r.mae.value && r.mae.value <= r.mae.high);
    const multilabel = await evaluateRequest({
      modelPath: join(dir, 'models/linear-multilabel.onnx'),
      datasetPath: join(dir, 'eval-multilabel.json'),
      task: 'multilabel',
    });
    const m = multilabel.taskMetrics!.multilabel!;
    t.diagnostic(
      `micro-F1 ${m.microF1.value} (ref ${reference.multilabel.micro_f1}), macro-F1 ${m.macroF1.value} (ref ${reference.multilabel.macro_f1})`,
    );
    assert.ok(Math.abs(m.microF1.value - reference.multilabel.micro_f1) < 1e-9);
    assert.ok(Math.abs(m.macroF1.value - reference.multilabel.macro_f1) < 1e-9);
    assert.equal(multilabel.primary?.metric, 'micro_f1');
    // the regression targets (3 values) against the multilabel head (4 logits): a clear mismatch, not a figure
    await assert.rejects(
      evaluateRequest({
        modelPath: join(dir, 'models/linear-multilabel.onnx'),
        datasetPath: join(dir, 'eval-regression.json'),
        task: 'multilabel',
      }),
      (e: Error & { code?: string }) =>
        e.code === 'DATASET_MISMATCH' && /targets\[0\] holds 3 values, but the model's output has 4/.test(e.message),
    );
    // class labels for a regression model: refused, naming the layout it needs
    await assert.rejects(
      evaluateRequest({
        modelPath: join(dir, 'models/linear-regression.onnx'),
        datasetPath: join(fixtures, 'ctc-digits/eval-100'),
        task: 'regression',
      }),
      (e: Error & { code?: string }) => e.code === 'DATASET_MISMATCH',
    );
  });

  test('ctc-digits: greedy CTC CER, WER and exact match equal the reference', async (t) => {
    const reference = read(join(fixtures, 'ctc-digits/reference.json'));
    const report = await evaluateRequest({ ...request('ctc-digits', 'eval-100'), task: 'sequence' });
    const s = report.taskMetrics!.sequence!;
    t.diagnostic(`CER ${s.cer.value} (ref ${reference.cer}), WER ${s.wer.value} (ref ${reference.wer}), exact ${s.exactMatch.value}`);
    assert.equal(report.primary?.metric, 'one_minus_cer');
    assert.ok(Math.abs(s.cer.value - reference.cer) < 1e-9);
    assert.ok(Math.abs(s.wer.value - reference.wer) < 1e-9);
    assert.ok(Math.abs(s.exactMatch.value - reference.exact_match) < 1e-9);
    assert.equal(s.cer.n, 100);
    assert.ok(s.cer.low <= s.cer.value && s.cer.value <= s.cer.high);
  });

  test('label-free: a model scored against itself has fidelity 1 with its task’s metric', async () => {
    const det = await evaluateRequest({
      ...request('shapes-detector', 'eval-100'),
      baselinePath: join(fixtures, 'shapes-detector/models/shapes-detector.onnx'),
      limit: 20,
    });
    assert.equal(det.fidelity?.primary?.metric, 'baseline_map50');
    assert.ok(Math.abs(det.fidelity!.primary!.value - 1) < 1e-9);
    const seg = await evaluateRequest({
      ...request('shapes-segmenter', 'eval-50'),
      baselinePath: join(fixtures, 'shapes-segmenter/models/shapes-segmenter.onnx'),
      limit: 20,
    });
    assert.equal(seg.fidelity?.primary?.metric, 'mask_iou');
    assert.equal(seg.fidelity!.primary!.value, 1);
  });

  test('a classifier refuses detection labels, and a detector class folders (DATASET_MISMATCH)', async () => {
    await assert.rejects(
      evaluateRequest({ ...request('shapes-detector', 'eval-100'), task: 'classification', postprocess: undefined }),
      (e: Error & { code?: string }) => e.code === 'DATASET_MISMATCH' && /detection labels/.test(e.message),
    );
    await assert.rejects(
      evaluateRequest({ ...request('shapes-segmenter', 'eval-50'), task: 'detection', postprocess: undefined }),
      (e: Error & { code?: string }) => e.code === 'DATASET_MISMATCH' && /segmentation labels/.test(e.message),
    );
  });

  test('the CLI prints the same figures as JSON', () => {
    const dir = join(fixtures, 'shapes-segmenter');
    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot(), 'dist/src/cli/main.js'),
        'eval',
        join(dir, 'models/shapes-segmenter.onnx'),
        '--dataset',
        join(dir, 'eval-50'),
        '--preprocess',
        join(dir, 'preprocess.json'),
        '--task',
        'segmentation',
        '--postprocess',
        join(dir, 'postprocess.json'),
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as EvaluationReport;
    assert.ok(Math.abs(report.primary!.value - read(join(dir, 'reference.json')).miou) < 1e-6);
  });
});
