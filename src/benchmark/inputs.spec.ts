import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';
import { coreSpeedFrom, readDeviceReference } from './calibration';
import { loadSamples, outputChecksum, parseShapeArgs, serializeSample, syntheticInputs } from './inputs';
import { parseProfileTrace } from './profiling';

const scratch = mkdtempSync(join(tmpdir(), 'tierwise-inputs-spec-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const tmp = () => mkdtempSync(join(scratch, 'case-'));
const out = (values: number[]) => [{ logits: { type: 'float32', dims: [1, values.length], data: Float32Array.from(values) } }];

describe('runner inputs, checksum, profile parsing, calibration', () => {
  test('--shape parsing and synthetic inputs honour given dims and never guess symbolic ones', () => {
    assert.deepEqual(parseShapeArgs(['x=1,3,48,192', 'm=2']), { x: [1, 3, 48, 192], m: [2] });
    assert.throws(
      () => parseShapeArgs(['x=1,a']),
      (e: TierwiseError) => e.code === 'SHAPE_INVALID',
    );
    const declared = [
      { name: 'x', type: 'float32', shape: ['N', 3, 'H', 192] },
      { name: 'ids', type: 'int64', shape: ['N', 4] },
    ];
    // N comes from x's shape (the same symbol is the same size everywhere); ids default to range [0, 1)
    const { inputs, record } = syntheticInputs(declared, { x: [1, 3, 48, 192] });
    assert.deepEqual(inputs.x!.dims, [1, 3, 48, 192]);
    assert.deepEqual(inputs.ids!.dims, [1, 4]);
    assert.deepEqual([...(inputs.ids!.data as BigInt64Array)], [0n, 0n, 0n, 0n]);
    assert.equal(record.ids!.fill, 'range[0, 1) (default)');
    assert.throws(
      () => syntheticInputs(declared),
      (e: TierwiseError) => e.code === 'INPUT_SPEC_REQUIRED' && /dim "H" \(axis 2\)/.test(e.message) && !/dim "N"/.test(e.message),
    );
    assert.throws(
      () => syntheticInputs(declared, { x: [1, 3, 48, 192], ids: [2, 4] }),
      (e: TierwiseError) => e.code === 'INPUT_SPEC_INVALID',
    );
    const shapes = { x: [1, 3, 48, 192] };
    assert.deepEqual(syntheticInputs(declared, shapes).inputs.x!.data, syntheticInputs(declared, shapes).inputs.x!.data);
  });

  test('samples round-trip through base64 and plain arrays', () => {
    const path = join(tmp(), 's.json');
    const ids = BigInt64Array.from([101n, 7n, 0n]);
    writeFileSync(
      path,
      JSON.stringify([
        serializeSample('a', { ids: { type: 'int64', dims: [1, 3], data: ids } }),
        { id: 'b', inputs: { ids: { type: 'int64', dims: [1, 3], data: [5, 6, 7] } } },
      ]),
    );
    const samples = loadSamples(path);
    assert.deepEqual([...(samples[0]!.ids!.data as BigInt64Array)], [101n, 7n, 0n]);
    assert.deepEqual([...(samples[1]!.ids!.data as BigInt64Array)], [5n, 6n, 7n]);
    writeFileSync(path, JSON.stringify([{ inputs: { ids: { type: 'int64', dims: [1, 3], data: [1] } } }]));
    assert.throws(() => loadSamples(path), /1 values, dims \[1,3\] need 3/);
  });

  test('the checksum ignores noise below 4 significant digits of the tensor and sees real changes', () => {
    const base = outputChecksum(out([12.34, -0.5, 0.00001]));
    assert.equal(outputChecksum(out([12.3401, -0.50002, 0.00003])), base);
    assert.notEqual(outputChecksum(out([12.36, -0.5, 0.00001])), base);
    assert.notEqual(outputChecksum(out([12.34, -0.5])), base);
  });

  test('profile traces sum kernel time per node', () => {
    const trace = [
      { cat: 'Session', name: 'model_loading_uri', dur: 500 },
      { cat: 'Node', name: 'conv1_kernel_time', dur: 300, args: { op_name: 'Conv' } },
      { cat: 'Node', name: 'conv1_fence_before', dur: 1 },
      { cat: 'Node', name: 'conv1_kernel_time', dur: 100, args: { op_name: 'Conv' } },
      { cat: 'Node', name: 'relu_kernel_time', dur: 50, args: { op_name: 'Relu' } },
    ];
    assert.deepEqual(parseProfileTrace(trace, 2), [
      { node: 'conv1', opType: 'Conv', meanMs: 0.2, calls: 2 },
      { node: 'relu', opType: 'Relu', meanMs: 0.025, calls: 1 },
    ]);
  });

  test('calibration: coreSpeed = host p50 / device p50, from a number or a native bench result', () => {
    assert.equal(coreSpeedFrom(0.8, 2), 0.4);
    assert.deepEqual(readDeviceReference('2.5'), { p50Ms: 2.5, threads: null, inputShapes: null, source: 'number' });
    const dir = tmp();
    writeFileSync(
      join(dir, 'native.json'),
      JSON.stringify({ raw: { p50: 3.2 }, session: { intraOpNumThreads: 2 }, inputShapes: { x: [1, 4] }, envelope: { method: 'native' } }),
    );
    assert.deepEqual(readDeviceReference(join(dir, 'native.json')), {
      p50Ms: 3.2,
      threads: 2,
      inputShapes: { x: [1, 4] },
      source: join(dir, 'native.json'),
    });
    writeFileSync(join(dir, 'scaled.json'), JSON.stringify({ raw: { p50: 3.2 }, envelope: { method: 'scaled' } }));
    assert.throws(() => readDeviceReference(join(dir, 'scaled.json')), /must be measured with --envelope native/);
    assert.throws(
      () => readDeviceReference('-1'),
      (e: TierwiseError) => e.code === 'CALIBRATION_INVALID',
    );
  });
});
