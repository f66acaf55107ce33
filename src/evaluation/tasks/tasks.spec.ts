import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../common/paths';
import {
  boxIou,
  ctcGreedy,
  decodeDetections,
  decodeMask,
  detectionMetrics,
  editDistance,
  evaluateCoco,
  guessTask,
  mapBox,
  multilabelMetrics,
  nms,
  parsePostprocess,
  probabilityMapCandidates,
  regressionMetrics,
  segmentationMetrics,
  sequenceMetrics,
  summarizeCoco,
  yolov5Candidates,
  type CocoDetection,
  type CocoGroundTruth,
  type DetectionPostprocess,
} from './index';

const close = (actual: number, expected: number, digits = 6): void => assert.equal(actual.toFixed(digits), expected.toFixed(digits));

describe('boxes', () => {
  test('IoU of two offset squares is 25 / 175, no +1', () => {
    close(boxIou({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 5, y1: 5, x2: 15, y2: 15 }), 1 / 7);
    assert.equal(boxIou({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 10, y1: 0, x2: 20, y2: 10 }), 0);
  });

  test('greedy class-wise NMS keeps the best of an overlapping pair, other classes untouched', () => {
    const boxes = [
      { x1: 1, y1: 1, x2: 11, y2: 11, score: 0.8, classIndex: 0 }, // IoU 81/119 = 0.68 with the first
      { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9, classIndex: 0 },
      { x1: 1, y1: 1, x2: 11, y2: 11, score: 0.7, classIndex: 1 },
      { x1: 20, y1: 20, x2: 30, y2: 30, score: 0.6, classIndex: 0 },
    ];
    assert.deepEqual(
      nms(boxes, 0.6).map((b) => b.score),
      [0.9, 0.7, 0.6],
    );
    assert.deepEqual(
      nms(boxes, 0.6, Infinity, true).map((b) => b.score),
      [0.9, 0.6],
    );
    assert.deepEqual(
      nms(boxes, 0.7).map((b) => b.score),
      [0.9, 0.8, 0.7, 0.6],
    );
    assert.deepEqual(
      nms(boxes, 0.6, 2).map((b) => b.score),
      [0.9, 0.7],
    );
  });

  test('letterbox and resize map input pixels back to the image', () => {
    const letter = mapBox({ x1: 0, y1: 32, x2: 128, y2: 96 }, 'letterbox', {
      inputWidth: 128,
      inputHeight: 128,
      imageWidth: 200,
      imageHeight: 100,
    });
    assert.deepEqual(letter, { x1: 0, y1: 0, x2: 200, y2: 100 });
    const resized = mapBox({ x1: 10, y1: 10, x2: 20, y2: 40 }, 'resize', {
      inputWidth: 128,
      inputHeight: 128,
      imageWidth: 256,
      imageHeight: 64,
    });
    assert.deepEqual(resized, { x1: 20, y1: 5, x2: 40, y2: 20 });
    const clipped = mapBox({ x1: -5, y1: 0, x2: 140, y2: 10 }, 'none', {
      inputWidth: 128,
      inputHeight: 128,
      imageWidth: 128,
      imageHeight: 128,
    });
    assert.deepEqual(clipped, { x1: 0, y1: 0, x2: 128, y2: 10 });
  });
});

describe('detection decoders', () => {
  const spec = parsePostprocess('detection', { format: 'yolov8' }) as DetectionPostprocess;
  const geometry = { mapping: 'none' as const, inputWidth: 128, inputHeight: 128, imageWidth: 128, imageHeight: 128 };

  test('yolov8 [4+C, boxes]: class = argmax, score = max, NMS per class', () => {
    // columns are boxes; rows cx, cy, w, h, score class 0, score class 1
    const values = [10, 50, 10, 10, 50, 10, 4, 10, 4, 4, 10, 4, 0.9, 0.1, 0.2, 0.1, 0.8, 0.95];
    const found = decodeDetections({ values, dims: [6, 3] }, spec, geometry);
    assert.deepEqual(
      found.map((d) => [d.classIndex, d.score, d.x1, d.y1, d.x2, d.y2]),
      [
        [1, 0.95, 8, 8, 12, 12],
        [0, 0.9, 8, 8, 12, 12],
        [1, 0.8, 45, 45, 55, 55],
      ],
    );
  });

  test('yolov5 [boxes, 5+C]: score = objectness × class score, thresholded', () => {
    const values = [10, 10, 4, 4, 0.5, 0.8, 0.2, 20, 20, 4, 4, 0.1, 0.1, 0.9];
    const found = yolov5Candidates({ values, dims: [2, 7] }, 0.1);
    assert.equal(found.length, 1);
    assert.equal(found[0].classIndex, 0);
    close(found[0].score, 0.4);
  });

  test('probability map: threshold, 8-connected components, boxes scaled to the input', () => {
    // 4 x 6 map, two blobs: a diagonal pair (one component with 8-connectivity) and a 2x1 bar
    const map = [0.9, 0, 0, 0, 0, 0, 0, 0.7, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0];
    const found = probabilityMapCandidates(
      { values: map, dims: [1, 4, 6] },
      { mapThreshold: 0.3, minArea: 1, scoreThreshold: 0 },
      { width: 12, height: 8 },
    );
    assert.deepEqual(
      found.map((d) => [d.x1, d.y1, d.x2, d.y2, Number(d.score.toFixed(3))]),
      [
        [0, 0, 4, 4, 0.8],
        [8, 2, 12, 4, 0.5],
      ],
    );
  });
});

describe('segmentation, sequence, regression, multilabel', () => {
  test('argmax over [C, H, W] and threshold on a probability map', () => {
    const logits = [1, 0, 0, 5, 0, 2, 3, 1];
    assert.deepEqual([...decodeMask(logits, [2, 2, 2], { format: 'logits', threshold: 0.5 }).classes], [0, 1, 1, 0]);
    assert.deepEqual([...decodeMask([0.2, 0.6, 0.5, 0.9], [1, 2, 2], { format: 'probability', threshold: 0.5 }).classes], [0, 1, 0, 1]);
  });

  test('mIoU and pixel accuracy ignore 255', () => {
    const m = segmentationMetrics([[0, 1, 1, 1]], [[0, 1, 255, 0]], 2);
    close(m.miou.value, 0.5);
    close(m.pixelAccuracy.value, 2 / 3);
    assert.deepEqual(m.perClassIou, [0.5, 0.5]);
    assert.equal(m.miou.n, 1);
  });

  test('greedy CTC merges repeats, then drops blanks', () => {
    const T = [1, 1, 0, 1, 2, 2];
    const values = T.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    assert.deepEqual(ctcGreedy(values, 6, 3, 0), [1, 1, 2]);
  });

  test('edit distance, CER and WER', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    const m = sequenceMetrics(['abc', 'x', 'hello world'], ['abd', 'xy', 'hello word']);
    close(m.cer.value, 3 / 15);
    close(m.wer.value, 3 / 4);
    close(m.exactMatch.value, 0);
    assert.ok(m.cer.low <= m.cer.value && m.cer.high >= m.cer.value);
  });

  test('MAE, RMSE and multilabel micro/macro F1', () => {
    const r = regressionMetrics([[1], [3]], [[2], [5]]);
    close(r.mae.value, 1.5);
    close(r.rmse.value, Math.sqrt(2.5));
    const f = multilabelMetrics(
      [
        [0.9, 0.1],
        [0.6, 0.7],
      ],
      [
        [1, 0],
        [0, 1],
      ],
      0.5,
      'none',
    );
    close(f.microF1.value, 0.8);
    close(f.macroF1.value, (2 / 3 + 1) / 2);
  });
});

describe('COCO mAP', () => {
  const cases = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/coco-hand/cases.json'), 'utf8')) as {
    name: string;
    gt: CocoGroundTruth;
    dets: CocoDetection[];
    expected: { map5095: number; map50: number; map75: number; ar100: number };
  }[];
  for (const c of cases) {
    test(`matches pycocotools COCOeval on ${c.name}`, () => {
      const stats = summarizeCoco(evaluateCoco(c.gt, c.dets));
      close(stats.map5095, c.expected.map5095, 9);
      close(stats.map50, c.expected.map50, 9);
      close(stats.map75, c.expected.map75, 9);
      close(stats.ar100, c.expected.ar100, 9);
    });
  }

  test('the bootstrap interval brackets the value and is the same on every run', () => {
    const c = cases[cases.length - 1];
    const a = detectionMetrics(c.gt, c.dets);
    const b = detectionMetrics(c.gt, c.dets);
    assert.deepEqual(a, b);
    assert.ok(a.map50.low <= a.map50.value && a.map50.value <= a.map50.high);
    assert.equal(a.map50.n, c.gt.images.length);
  });
});

describe('task guess and postprocess spec', () => {
  test('guesses from output shapes', () => {
    assert.equal(guessTask([{ name: 'output0', shape: [1, 7, 8400] }]).task, 'detection');
    assert.equal((guessTask([{ name: 'output0', shape: [1, 7, 8400] }]).postprocess as DetectionPostprocess).format, 'yolov8');
    assert.equal((guessTask([{ name: 'output', shape: [1, 25200, 85] }]).postprocess as DetectionPostprocess).format, 'yolov5');
    assert.equal(guessTask([{ name: 'logits', shape: [1, 4, 64, 64] }]).task, 'segmentation');
    assert.equal(guessTask([{ name: 'logits', shape: [1, 32, 11] }]).task, 'sequence');
    assert.equal(guessTask([{ name: 'logits', shape: ['N', 10] }]).task, 'classification');
    assert.equal(guessTask([{ name: 'y', shape: [1, 1] }]).task, 'regression');
  });

  test('fills defaults and names the bad field', () => {
    const spec = parsePostprocess('detection', {}) as DetectionPostprocess;
    assert.equal(spec.scoreThreshold, 0.001);
    assert.equal(spec.iouThreshold, 0.6);
    assert.equal(spec.maxDetections, 100);
    assert.throws(
      () => parsePostprocess('detection', { iouThreshold: 2 }),
      (e: Error & { code?: string }) => e.code === 'POSTPROCESS_INVALID' && /iouThreshold/.test(e.message),
    );
    assert.throws(() => parsePostprocess('segmentation', { bogus: 1 }), /POSTPROCESS_INVALID|bogus|Unrecognized/);
  });
});

describe('COCO mAP on the coco-cases fixture', () => {
  const dir = join(repoRoot(), 'test/fixtures/coco-cases');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
    cases: Record<string, { gt: string; dets: string; stats: number[] }>;
  };
  for (const [name, c] of Object.entries(expected.cases)) {
    test(`${name}: mAP@[.5:.95], mAP@0.5, mAP@0.75 and AR@100 equal pycocotools'`, () => {
      const gt = JSON.parse(readFileSync(join(dir, c.gt), 'utf8')) as CocoGroundTruth;
      const dets = JSON.parse(readFileSync(join(dir, c.dets), 'utf8')) as CocoDetection[];
      const stats = summarizeCoco(evaluateCoco(gt, dets));
      close(stats.map5095, c.stats[0], 9);
      close(stats.map50, c.stats[1], 9);
      close(stats.map75, c.stats[2], 9);
      close(stats.ar100, c.stats[8], 9);
    });
  }
});
