import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as tar from 'tar';
import { repoRoot } from '../../common/paths';
import { evaluateRequest } from '../../evaluation';
import type { TensorSpec } from '../../onnx/io-spec';
import { decodeWav, fitWindow, resample } from './audio-dataset';
import { inspectDataset, loadDataset, parsePreprocess, type LoadedDataset } from './index';

const fixture = join(repoRoot(), 'test/fixtures/tones-audio');
const eval40 = join(fixture, 'eval-40');
const preprocessPath = join(fixture, 'preprocess.json');
const spec = parsePreprocess(JSON.parse(readFileSync(preprocessPath, 'utf8')), fixture);
const inputs: TensorSpec[] = [{ name: 'audio', elemType: 'float32', shape: [1, 16000] }];
const reference = JSON.parse(readFileSync(join(fixture, 'reference.json'), 'utf8')) as {
  accuracy: number;
  correct: number;
  n: number;
  per_file: Array<{ file: string; label: string; rate: number; format: string; channels: number }>;
};
const referenceSamples = JSON.parse(readFileSync(join(fixture, 'reference-samples.json'), 'utf8')) as Array<{
  file: string;
  rms: number;
  slices: Record<string, number[]>;
}>;
const classes = readFileSync(join(eval40, 'classes.txt'), 'utf8').trim().split('\n');
const work = mkdtempSync(join(tmpdir(), 'tierwise-audio-spec-'));
after(() => rmSync(work, { recursive: true, force: true }));

function rms(data: Float32Array): number {
  let sum = 0;
  for (const v of data) sum += v * v;
  return Math.sqrt(sum / data.length);
}

describe('audio datasets (tones-audio fixture)', () => {
  let loaded: LoadedDataset;

  test('eval-40 is detected as audio: 40 labelled windows [1, 16000] in labels.csv order, payload = WAV bytes', async () => {
    loaded = await loadDataset(eval40, { preprocess: spec, modelInputs: inputs });
    assert.equal(loaded.kind, 'audio');
    assert.equal(loaded.labelled, true);
    assert.deepEqual(loaded.classes, classes);
    assert.deepEqual(
      loaded.samples.map((s) => [s.id, classes[s.label!]]),
      reference.per_file.map((f) => [f.file, f.label]),
    );
    for (const sample of loaded.samples) {
      assert.deepEqual(sample.inputs.audio.dims, [1, 16000]);
      assert.equal(sample.inputs.audio.type, 'float32');
      assert.equal(sample.payloadBytes, readFileSync(join(eval40, sample.id)).length);
    }
  });

  test('samples match the Python reference: exactly at 16 kHz, within the resamplers’ difference elsewhere', () => {
    // scipy's resample_poly (Kaiser FIR) and libsamplerate's sinc interpolator differ in the band near the source
    // rate's Nyquist frequency, where the clips' white noise has energy: measured 7.6 % relative (0.061 absolute)
    // at 8 kHz and 3.8 % (0.026) at 44.1 kHz over the reference slices; the bounds leave some room
    const bounds: Record<number, { relative: number; absolute: number }> = {
      16000: { relative: 1e-6, absolute: 1e-6 },
      8000: { relative: 0.1, absolute: 0.08 },
      44100: { relative: 0.05, absolute: 0.04 },
    };
    loaded.samples.forEach((sample, i) => {
      const ref = referenceSamples[i];
      const meta = reference.per_file[i];
      assert.equal(ref.file, sample.id);
      const data = sample.inputs.audio.data as Float32Array;
      let error = 0;
      let energy = 0;
      let worst = 0;
      for (const [offset, values] of Object.entries(ref.slices)) {
        values.forEach((expected, j) => {
          const diff = data[Number(offset) + j] - expected;
          error += diff * diff;
          energy += expected * expected;
          worst = Math.max(worst, Math.abs(diff));
        });
      }
      const relative = Math.sqrt(error / Math.max(energy, 1e-12));
      const bound = bounds[meta.rate];
      assert.ok(relative <= bound.relative && worst <= bound.absolute, `${sample.id}: relative ${relative}, worst ${worst}`);
      assert.ok(Math.abs(rms(data) - ref.rms) <= 0.01 * ref.rms + 1e-6, `${sample.id} rms ${rms(data)} vs ${ref.rms}`);
    });
  });

  test('tierwise eval (evaluateRequest) of the tones classifier reproduces the reference accuracy', async () => {
    const report = await evaluateRequest({
      modelPath: join(fixture, 'models/tones-audio.onnx'),
      datasetPath: eval40,
      preprocessPath,
      threads: 1,
    });
    assert.equal(report.n, reference.n);
    assert.equal(report.labelled, true);
    const correct = Math.round(report.metrics!.top1.value * report.n);
    assert.ok(Math.abs(correct - reference.correct) <= 1, `${correct} correct vs the reference ${reference.correct}`);
  });

  test('the same folder as a .tar.gz archive loads identically (detected as audio inside the archive)', async () => {
    const archive = join(work, 'eval-40.tar.gz');
    tar.c({ sync: true, gzip: true, file: archive, cwd: fixture, portable: true }, ['eval-40']);
    const fromArchive = await loadDataset(archive, { preprocess: spec, modelInputs: inputs, limit: 6 });
    assert.equal(fromArchive.kind, 'audio');
    fromArchive.samples.forEach((sample, i) => {
      assert.equal(sample.id, loaded.samples[i].id);
      assert.equal(sample.label, loaded.samples[i].label);
      assert.deepEqual(sample.inputs.audio.data, loaded.samples[i].inputs.audio.data);
    });
  });

  test('fitWindow cuts or zero-pads at the end; resample keeps the duration', async () => {
    const short = fitWindow(Float32Array.from([1, 2, 3]), 5);
    assert.deepEqual(Array.from(short), [1, 2, 3, 0, 0]);
    assert.deepEqual(Array.from(fitWindow(Float32Array.from([1, 2, 3, 4]), 2)), [1, 2]);
    const tone = Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    const up = await resample(tone, 8000, 16000);
    assert.ok(Math.abs(up.length - 16000) <= 2, `length ${up.length}`);
    assert.ok(Math.abs(rms(up.subarray(1000, 15000)) - 0.5 / Math.SQRT2) < 0.005);
  });
});

describe('bad WAV files', () => {
  const bad = join(fixture, 'bad');
  const expected: Record<string, [string, RegExp]> = {
    'empty.wav': ['AUDIO_INVALID', /empty/],
    'truncated-header.wav': ['AUDIO_INVALID', /fmt chunk is truncated/],
    'not-riff.wav': ['AUDIO_INVALID', /no RIFF\/WAVE header/],
    'pcm24.wav': ['AUDIO_UNSUPPORTED', /PCM 24-bit is not supported/],
    'adpcm.wav': ['AUDIO_UNSUPPORTED', /Microsoft ADPCM is not supported/],
    'no-data-chunk.wav': ['AUDIO_INVALID', /no data chunk/],
    'data-too-short.wav': ['AUDIO_INVALID', /declares 1600 bytes but only 100 follow/],
  };

  test('each is refused with a catalogue code (422) and a message naming the file and the reason', () => {
    assert.deepEqual(readdirSync(bad).sort(), Object.keys(expected).sort());
    for (const [name, [code, message]] of Object.entries(expected)) {
      assert.throws(
        () => decodeWav(readFileSync(join(bad, name)), name),
        (error: { code: string; status: number; message: string }) => {
          assert.equal(error.code, code, name);
          assert.equal(error.status, 422, name);
          assert.match(error.message, new RegExp(`^${name.replace('.', '\\.')}: `));
          assert.match(error.message, message, name);
          return true;
        },
      );
    }
  });

  test('a float WAV holding NaN is AUDIO_INVALID naming the frame', () => {
    const good = readFileSync(join(eval40, '001-high-16000-float32.wav'));
    const broken = Buffer.from(good);
    const data = broken.indexOf('data', 12, 'latin1') + 8;
    broken.writeFloatLE(Number.NaN, data + 4 * 10);
    assert.throws(() => decodeWav(broken, 'nan.wav'), { code: 'AUDIO_INVALID', message: /^nan\.wav: .*frame 10 holds a NaN/ });
    assert.equal(decodeWav(good, 'good.wav').encoding, 'float32');
  });

  test('a dataset holding one is refused on load, and listed by inspection', async () => {
    const dir = join(work, 'with-bad');
    mkdirSync(dir);
    copyFileSync(join(eval40, '000-low-16000-pcm16.wav'), join(dir, 'a.wav'));
    copyFileSync(join(bad, 'pcm24.wav'), join(dir, 'b.wav'));
    writeFileSync(join(dir, 'classes.txt'), classes.join('\n'));
    writeFileSync(join(dir, 'labels.csv'), 'file,label\na.wav,low\nb.wav,high\n');
    await assert.rejects(loadDataset(dir, { preprocess: spec, modelInputs: inputs }), { code: 'AUDIO_UNSUPPORTED', message: /^b\.wav: / });
    const inspection = await inspectDataset(dir);
    assert.equal(inspection.kind, 'audio');
    assert.equal(inspection.sampleCount, 2);
    assert.equal(inspection.errors.length, 1);
    assert.match(inspection.errors[0], /b\.wav: PCM 24-bit/);
  });

  test('labels outside classes.txt, names without classes.txt, and a missing sample rate are clear errors', async () => {
    const dir = join(work, 'labels');
    mkdirSync(dir);
    copyFileSync(join(eval40, '000-low-16000-pcm16.wav'), join(dir, 'a.wav'));
    writeFileSync(join(dir, 'labels.csv'), 'file,label\na.wav,low\n');
    await assert.rejects(loadDataset(dir, { preprocess: spec }), { code: 'DATASET_INVALID', message: /no classes\.txt/ });
    writeFileSync(join(dir, 'classes.txt'), 'quiet\nloud\n');
    await assert.rejects(loadDataset(dir, { preprocess: spec }), {
      code: 'DATASET_INVALID',
      message: /line 2 \(a\.wav\).*"low" is not in classes\.txt/,
    });
    writeFileSync(join(dir, 'labels.csv'), 'file,label\na.wav,1\n');
    const byIndex = await loadDataset(dir, { preprocess: spec, modelInputs: inputs });
    assert.equal(byIndex.samples[0].label, 1);
    await assert.rejects(loadDataset(dir, { modelInputs: inputs }), { code: 'PREPROCESS_INVALID', message: /sampleRate/ });
    assert.throws(() => parsePreprocess({ kind: 'audio' }, '.'), { code: 'PREPROCESS_INVALID', message: /sampleRate.*required/ });
    assert.throws(() => parsePreprocess({ kind: 'audio', sampleRate: 16000, window: -1 }, '.'), { code: 'PREPROCESS_INVALID' });
    rmSync(join(dir, 'labels.csv'));
    const unlabelled = await loadDataset(dir, { preprocess: spec, modelInputs: inputs });
    assert.deepEqual([unlabelled.kind, unlabelled.labelled, unlabelled.samples.length], ['audio', false, 1]);
  });
});
