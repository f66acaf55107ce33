import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantizeWeight, weightCodes } from './quant-math';
import { hostWeightType } from './weight-type';

test('int8 weights where kernels accumulate wide (VNNI, ARM); uint8 on x86-64 without VNNI, whose u8×s8 kernels saturate', () => {
  assert.equal(hostWeightType('auto', 'x64', ['sse4_2', 'avx2', 'avx512f', 'avx512_vnni']).type, 'int8');
  assert.equal(hostWeightType('auto', 'x64', ['avx2', 'avx_vnni']).type, 'int8');
  const avx2 = hostWeightType('auto', 'x64', ['sse4_2', 'avx2', 'fma']);
  assert.equal(avx2.type, 'uint8');
  assert.match(avx2.reason, /no VNNI/);
  assert.equal(hostWeightType('auto', 'arm64', null).type, 'int8');
  assert.equal(hostWeightType('auto', 'x64', null).type, 'uint8', 'unknown flags: the safe side');
  assert.equal(hostWeightType('int8', 'x64', ['avx2']).type, 'int8');
  assert.equal(hostWeightType('uint8', 'x64', ['avx512_vnni']).type, 'uint8');
  assert.throws(() => hostWeightType('int4'), /INT8_WEIGHT_TYPE/);
});

test('uint8 weights are the int8 codes shifted by 128 with zero point 128: the same values dequantized', () => {
  const q = quantizeWeight(new Float32Array([1, -0.6, 0.25, -1, 2, 0]), [2, 3], 0);
  const s8 = weightCodes(q, 'int8');
  const u8 = weightCodes(q, 'uint8');
  assert.ok(s8.data instanceof Int8Array && u8.data instanceof Uint8Array && u8.zeroPoints instanceof Uint8Array);
  assert.deepEqual(Array.from(u8.zeroPoints), [128, 128]);
  const value = (codes: typeof s8, i: number) => (codes.data[i]! - codes.zeroPoints[Math.floor(i / 3)]!) * q.scales[Math.floor(i / 3)]!;
  for (let i = 0; i < 6; i++) assert.equal(value(u8, i), value(s8, i));
  assert.deepEqual(Array.from(s8.zeroPoints), [0, 0]);
});
