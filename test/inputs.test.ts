import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { repoRoot } from '../src/common/paths';
import { isTierwiseError } from '../src/common/errors';
import { openDatasetSource } from '../src/datasets/formats/dataset-source';
import { parseNpy } from '../src/datasets/formats/npy';
import { readTensorDataset } from '../src/datasets/formats/tensors-dataset';
import { describeModel } from '../src/onnx/describe';
import { fromFloat16Bits, parseInputSpec, recordOf, resolveInputs, synthesize, toFloat16Bits } from '../src/onnx/input-spec';
import { fixtures, isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { waitForStudy } from './support/studies';

isolateEnvironment();
const real = (name: string) => fixtures('real', name);
const cli = join(repoRoot(), 'dist/src/cli/main.js');
const io = (name: string) => describeModel(readFileSync(real(name))).inputs;

function tierwise(...args: string[]): { status: number | null; json: any; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    json = undefined;
  }
  return { status: run.status, json, stderr: run.stderr };
}

function code(fn: () => unknown): { code: string; message: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    assert.ok(isTierwiseError(error), String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('input spec: resolution and synthesis', () => {
  test('symbolic dims without a spec are INPUT_SPEC_REQUIRED with the JSON to send; only a leading batch dim is assumed 1, and recorded', () => {
    const e = code(() => resolveInputs(io('dynamic_conv.onnx')));
    assert.equal(e.code, 'INPUT_SPEC_REQUIRED');
    assert.match(e.message, /input x \(float32 \[N,3,H,W\]\): dim "H" \(axis 2\), dim "W" \(axis 3\)/);
    assert.match(e.message, /\{"dims":\{"H":<int>,"W":<int>\}\}/);
    const strict = code(() => resolveInputs(io('dynamic_conv.onnx'), { dims: { H: 8, W: 8 } }, { assumeBatch: false }));
    assert.match(strict.message, /dim "N" \(axis 0\)/);
    const [x] = resolveInputs(io('dynamic_conv.onnx'), { dims: { H: 8, W: 8 } });
    assert.deepEqual(x!.shape, [1, 3, 8, 8]);
    assert.deepEqual(recordOf([x!]).x!.assumed, ['N=1']);
    const [given] = resolveInputs(io('dynamic_conv.onnx'), { dims: { N: 4, H: 8, W: 8 } });
    assert.deepEqual(given!.assumed, []);
    assert.deepEqual(given!.shape, [4, 3, 8, 8]);
  });

  test('dims, per-input shapes and fills resolve; state inputs default to zeros; an int scalar needs a value', () => {
    const [x] = resolveInputs(io('dynamic_conv.onnx'), { dims: { N: 2, H: 640, W: 320 } });
    assert.deepEqual(x!.shape, [2, 3, 640, 320]);
    assert.equal(x!.fillSource, 'default');
    const scalar = code(() => resolveInputs(io('stateful_toy.onnx'), { dims: { batch: 3 } }));
    assert.equal(scalar.code, 'INPUT_SPEC_REQUIRED');
    assert.match(scalar.message, /input sr \(int64 \[\]\): a value/);
    assert.match(scalar.message, /"inputs":\{"sr":\{"value":<int>\}\}/);
    const resolved = resolveInputs(io('stateful_toy.onnx'), {
      dims: { batch: 3 },
      inputs: { sr: { value: 16000 }, x: { fill: { kind: 'range', lo: 0, hi: 5 } } },
    });
    const byName = Object.fromEntries(resolved.map((r) => [r.name, r]));
    assert.deepEqual(byName.state!.shape, [2, 3, 4]);
    assert.equal(byName.state!.fillSource, 'default: state input');
    assert.deepEqual(byName.sr!.shape, []);
    const tensors = synthesize(resolved);
    assert.ok(tensors.sr!.data instanceof BigInt64Array && tensors.sr!.data[0] === 16000n && tensors.sr!.dims.length === 0);
    assert.ok((tensors.state!.data as Float32Array).every((v) => v === 0));
    assert.ok((tensors.x!.data as Float32Array).every((v) => Number.isInteger(v) && v >= 0 && v < 5));
    assert.deepEqual(recordOf(resolved).state, { shape: [2, 3, 4], type: 'float32', fill: 'zeros (default: state input)' });
  });

  test('a spec that contradicts the model or is malformed is INPUT_SPEC_INVALID', () => {
    assert.equal(code(() => resolveInputs(io('dynamic_conv.onnx'), { inputs: { x: { shape: [1, 4, 8, 8] } } })).code, 'INPUT_SPEC_INVALID');
    assert.equal(
      code(() => resolveInputs(io('dynamic_conv.onnx'), { dims: { N: 1, H: 2, W: 2 }, inputs: { y: {} } })).code,
      'INPUT_SPEC_INVALID',
    );
    assert.equal(code(() => parseInputSpec({ inputs: { x: { fill: 'gaussian' } } })).code, 'INPUT_SPEC_INVALID');
    assert.equal(code(() => parseInputSpec('{"dims": {"N": -1}}')).code, 'INPUT_SPEC_INVALID');
  });

  test('float16 inputs are fed as float16 tensors (Uint16Array bits) and run', async () => {
    for (const v of [0, 1, -2.5, 65504, 1e-5, 0.1])
      assert.ok(Math.abs(fromFloat16Bits(toFloat16Bits(v)) - v) <= Math.abs(v) * 1e-3 + 6e-8, `${v}`);
    const resolved = resolveInputs(io('fp16_scale.onnx'), { dims: { batch: 2 }, inputs: { x: { value: 1.5 } } });
    const x = synthesize(resolved).x!;
    assert.ok(x.data instanceof Uint16Array);
    const session = await ort.InferenceSession.create(real('fp16_scale.onnx'));
    const out = await session.run({ x: new ort.Tensor('float16', x.data as Uint16Array, x.dims) });
    assert.equal(out.y!.type, 'float16');
    assert.deepEqual(Array.from(out.y!.data as Uint16Array, fromFloat16Bits), [3, 3, 3, 3, 3, 3, 3, 3]);
    await session.release();
  });
});

describe('NPY and NPZ tensors datasets', () => {
  test('NPY: an int64 scalar and a rank-4 float32 array', () => {
    const scalar = parseNpy(readFileSync(real('scalar_int64.npy')));
    assert.equal(scalar.type, 'int64');
    assert.deepEqual(scalar.shape, []);
    assert.equal((scalar.data as BigInt64Array)[0], 16000n);
    const images = parseNpy(readFileSync(real('images_f32.npy')));
    assert.equal(images.type, 'float32');
    assert.deepEqual(images.shape, [2, 3, 4, 4]);
    assert.equal(images.data.length, 96);
    const truncated = readFileSync(real('images_f32.npy')).subarray(0, 200);
    assert.equal(code(() => parseNpy(truncated)).code, 'DATASET_INVALID');
    assert.equal(code(() => parseNpy(Buffer.from('not numpy at all'))).code, 'DATASET_INVALID');
    // one .npy feeds the model's only input; the leading axis is the sample axis; the batch dim of 1 is added
    // because the model declares one more axis than the samples have
    const set = readTensorDataset(real('images_f32.npy'), [{ name: 'x', elemType: 'float32', shape: ['N', 3, 'H', 'W'] }]);
    assert.equal(set.count, 2);
    assert.deepEqual(set.samples[1]!.inputs.x!.dims, [1, 3, 4, 4]);
  });

  test('NPZ: any rank, scalars, int64, float16, bool and labels; no forced batch dim', async () => {
    const source = await openDatasetSource(real('samples.npz'));
    try {
      assert.equal(source.kind, 'tensors');
      const set = readTensorDataset(source.path);
      assert.equal(set.count, 3);
      assert.equal(set.labelled, true);
      assert.deepEqual(
        set.samples.map((s) => s.label),
        [0, 1, 2],
      );
      const s1 = set.samples[1]!.inputs;
      assert.deepEqual(s1.x!.dims, [3, 8, 8]);
      assert.equal(s1.ids!.type, 'int64');
      assert.deepEqual(Array.from(s1.ids!.data as BigInt64Array), [2n, 3n]);
      assert.equal(s1.half!.type, 'float16');
      assert.deepEqual(Array.from(s1.half!.data as Uint16Array, fromFloat16Bits), [1.5, -2]);
      assert.equal(s1.flags!.type, 'bool');
      assert.deepEqual(s1.flags!.dims, []);
      assert.equal(s1.flags!.data[0], 0);
    } finally {
      await source.cleanup();
    }
  });
});

describe('tierwise bench with --dims / --inputs on dynamic models', () => {
  test('without a spec it refuses with INPUT_SPEC_REQUIRED; with --dims it measures at that shape and says so', () => {
    const refused = tierwise('bench', real('dynamic_conv.onnx'), '--tier', 'edge', '--runs', '3', '--json');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /INPUT_SPEC_REQUIRED/);
    assert.match(refused.stderr, /"dims":\{"H":<int>,"W":<int>\}/);
    const small = tierwise(
      'bench',
      real('dynamic_conv.onnx'),
      '--tier',
      'edge',
      '--runs',
      '5',
      '--warmup',
      '1',
      '--dims',
      'N=1,H=8,W=8',
      '--json',
    );
    assert.equal(small.status, 0, small.stderr);
    assert.deepEqual(small.json.inputRecord.x, { shape: [1, 3, 8, 8], type: 'float32', fill: 'random-uniform[-1, 1) (default)' });
    const big = tierwise(
      'bench',
      real('dynamic_conv.onnx'),
      '--tier',
      'edge',
      '--runs',
      '5',
      '--warmup',
      '1',
      '--dims',
      'N=1,H=256,W=256',
      '--json',
    );
    assert.equal(big.status, 0, big.stderr);
    assert.deepEqual(big.json.inputShapes.x, [1, 3, 256, 256]);
    assert.ok(big.json.raw.p50 > small.json.raw.p50 * 5, `256² ${big.json.raw.p50} ms vs 8² ${small.json.raw.p50} ms`);
  });

  test('a stateful model with an int64 scalar runs from --inputs; inputs the model rejects are INPUT_REJECTED', () => {
    const ok = tierwise(
      'bench',
      real('stateful_toy.onnx'),
      '--tier',
      'edge',
      '--runs',
      '3',
      '--warmup',
      '0',
      '--dims',
      'batch=2',
      '--inputs',
      '{"inputs":{"sr":{"value":16000}}}',
      '--json',
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(ok.json.inputRecord.sr, { shape: [], type: 'int64', fill: 'value 16000' });
    assert.equal(ok.json.inputRecord.state.fill, 'zeros (default: state input)');
    const rejected = tierwise(
      'bench',
      real('stateful_toy.onnx'),
      '--tier',
      'edge',
      '--runs',
      '3',
      '--dims',
      'batch=2',
      '--inputs',
      '{"inputs":{"sr":{"value":16000},"state":{"shape":[2,3,4]}}}',
      '--json',
    );
    assert.notEqual(rejected.status, 0);
    assert.match(rejected.stderr, /INPUT_REJECTED/);
    assert.match(rejected.stderr, /state \[2,3,4\] float32 zeros/);
    assert.match(rejected.stderr, /Give an input spec/);
    const fp16 = tierwise(
      'bench',
      real('fp16_scale.onnx'),
      '--tier',
      'edge',
      '--runs',
      '3',
      '--warmup',
      '0',
      '--dims',
      'batch=4',
      '--json',
    );
    assert.equal(fp16.status, 0, fp16.stderr);
    assert.deepEqual(fp16.json.inputRecord.x.shape, [4, 4]);
    assert.equal(fp16.json.inputRecord.x.type, 'float16');
  });
});

describe('studies on a model with symbolic dims', () => {
  let api: Api;
  let worker: INestApplicationContext;
  let auth: { Authorization: string };
  let modelId: string;

  before(async () => {
    api = await startApi();
    worker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'] });
    ({ auth } = await api.newTeam());
    modelId = (
      await api.http.post('/v1/models').set(auth).field('name', 'dynamic-conv').attach('file', real('dynamic_conv.onnx')).expect(201)
    ).body.id;
  });
  after(async () => {
    await worker.close();
    await api.close();
  });

  test('without a dataset or a spec, creation is 422 INPUT_SPEC_REQUIRED with the JSON hint (REST and GraphQL)', async () => {
    const res = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'] })
      .expect(422);
    assert.equal(res.body.error.code, 'INPUT_SPEC_REQUIRED');
    assert.match(res.body.error.message, /\{"dims":\{"H":<int>,"W":<int>\}\}/);
    const bad = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'], inputs: { dims: { H: 'one' } } })
      .expect(400);
    const onlyBatch = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'], inputs: { dims: { N: 1 } } })
      .expect(422);
    assert.match(onlyBatch.body.error.message, /dim "H" \(axis 2\), dim "W" \(axis 3\)/);
    assert.equal(bad.body.error.code, 'INPUT_SPEC_INVALID');
    const gql = await api.http
      .post('/graphql')
      .set(auth)
      .send({
        query: 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }',
        variables: { input: { modelId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'] } },
      });
    assert.equal(gql.body.errors?.[0]?.extensions?.code, 'INPUT_SPEC_REQUIRED', JSON.stringify(gql.body));
    assert.match(gql.body.errors[0].message, /"H":<int>/);
  });

  test('with a spec the study completes at the given shape and each measurement records it', async () => {
    const inputs = { dims: { N: 1, H: 96, W: 64 }, inputs: { x: { fill: 'random-normal' } } };
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, tiers: ['edge'], scenarios: ['edge'], operators: ['identity'], effort: { warmup: 2, runs: 10 }, inputs })
      .expect(202);
    assert.deepEqual(created.body.inputs, inputs);
    const study = await waitForStudy(api, auth, created.body.id, 180_000);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    const measurements = (await api.http.get(`/v1/studies/${study.id}/measurements`).set(auth).expect(200)).body as Array<
      Record<string, any>
    >;
    assert.ok(measurements.length > 0);
    for (const m of measurements)
      assert.deepEqual(m.inputShapes.x, { shape: [1, 3, 96, 64], type: 'float32', fill: 'random-normal(0, 1)' });
    const html = (await api.http.get(`/v1/studies/${study.id}/report?format=html`).set(auth).expect(200)).text;
    assert.match(html, /Measured at/);
    assert.match(html, /x \[1,3,96,64\] float32 random-normal\(0, 1\)/);
  });
});
