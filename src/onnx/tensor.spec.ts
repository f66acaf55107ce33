import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TierwiseError } from '../common/errors';
import { onnx } from './model-io';
import {
  bfloat16ToFloat32,
  encodeFromFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  float32ToFloat8,
  float4e2m1ToFloat32,
  float8ToFloat32,
  makeTensor,
  rawByteLength,
  tensorToArray,
  tensorToFloat32,
} from './tensor';

const DT = onnx.TensorProto.DataType;

describe('float16 bits', () => {
  test('decodes normal, subnormal, zero, infinite and NaN patterns (hand-computed)', () => {
    assert.equal(float16ToFloat32(0x3c00), 1);
    assert.equal(float16ToFloat32(0xc000), -2);
    assert.equal(float16ToFloat32(0x3555), 0.333251953125); // (1 + 341/1024) / 4
    assert.equal(float16ToFloat32(0x7bff), 65504);
    assert.equal(float16ToFloat32(0x0400), 2 ** -14); // smallest normal
    assert.equal(float16ToFloat32(0x0001), 2 ** -24); // smallest subnormal
    assert.equal(float16ToFloat32(0x03ff), 1023 * 2 ** -24); // largest subnormal
    assert.equal(float16ToFloat32(0x7c00), Infinity);
    assert.equal(float16ToFloat32(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16ToFloat32(0x7e00)));
    assert.ok(Object.is(float16ToFloat32(0x8000), -0));
  });

  test('encodes with round-to-nearest-even, overflow to Infinity and subnormals', () => {
    assert.equal(float32ToFloat16(1), 0x3c00);
    assert.equal(float32ToFloat16(-2), 0xc000);
    assert.equal(float32ToFloat16(65504), 0x7bff);
    assert.equal(float32ToFloat16(65519), 0x7bff); // below the halfway point to 65536
    assert.equal(float32ToFloat16(65520), 0x7c00); // halfway: ties to even = Infinity
    assert.equal(float32ToFloat16(1e6), 0x7c00);
    assert.equal(float32ToFloat16(-Infinity), 0xfc00);
    assert.equal(float32ToFloat16(1 + 2 ** -11), 0x3c00); // tie between 0x3c00 and 0x3c01 → even
    assert.equal(float32ToFloat16(1 + 3 * 2 ** -11), 0x3c02); // tie between 0x3c01 and 0x3c02 → even
    assert.equal(float32ToFloat16(2 ** -24), 0x0001);
    assert.equal(float32ToFloat16(2 ** -25), 0x0000); // tie with 0 → even
    assert.equal(float32ToFloat16(3 * 2 ** -26), 0x0001);
    assert.equal(float32ToFloat16(1023 * 2 ** -24), 0x03ff);
    assert.equal(float32ToFloat16(1e-8), 0x0000);
    assert.equal(float32ToFloat16(-0), 0x8000);
    assert.equal(float32ToFloat16(NaN), 0x7e00);
    for (let bits = 0; bits < 0x7c00; bits++) assert.equal(float32ToFloat16(float16ToFloat32(bits)), bits, `bits 0x${bits.toString(16)}`);
  });
});

describe('bfloat16 bits', () => {
  test('decodes and encodes (round to nearest even)', () => {
    assert.equal(bfloat16ToFloat32(0x3f80), 1);
    assert.equal(bfloat16ToFloat32(0xc000), -2);
    assert.equal(bfloat16ToFloat32(0x4049), 3.140625);
    assert.equal(bfloat16ToFloat32(0x7f80), Infinity);
    assert.ok(Number.isNaN(bfloat16ToFloat32(0x7fc0)));
    assert.equal(float32ToBfloat16(Math.PI), 0x4049); // 0x40490fdb: low half below 0x8000
    assert.equal(float32ToBfloat16(1 + 2 ** -8), 0x3f80); // tie → even
    assert.equal(float32ToBfloat16(1 + 3 * 2 ** -8), 0x3f82); // tie → even
    assert.equal(float32ToBfloat16(-2), 0xc000);
    assert.equal(float32ToBfloat16(NaN) & 0x7fc0, 0x7fc0);
  });
});

describe('float8 and float4 bits', () => {
  test('decode every variant (hand-computed)', () => {
    assert.equal(float8ToFloat32(0x38, 'float8e4m3fn'), 1);
    assert.equal(float8ToFloat32(0xc0, 'float8e4m3fn'), -2);
    assert.equal(float8ToFloat32(0x7e, 'float8e4m3fn'), 448);
    assert.equal(float8ToFloat32(0x01, 'float8e4m3fn'), 2 ** -9);
    assert.ok(Number.isNaN(float8ToFloat32(0x7f, 'float8e4m3fn')));
    assert.ok(Number.isNaN(float8ToFloat32(0xff, 'float8e4m3fn')));
    assert.ok(Object.is(float8ToFloat32(0x80, 'float8e4m3fn'), -0));
    assert.equal(float8ToFloat32(0x40, 'float8e4m3fnuz'), 1);
    assert.equal(float8ToFloat32(0x7f, 'float8e4m3fnuz'), 240);
    assert.equal(float8ToFloat32(0x01, 'float8e4m3fnuz'), 2 ** -10);
    assert.ok(Number.isNaN(float8ToFloat32(0x80, 'float8e4m3fnuz')));
    assert.equal(float8ToFloat32(0x3c, 'float8e5m2'), 1);
    assert.equal(float8ToFloat32(0x7b, 'float8e5m2'), 57344);
    assert.equal(float8ToFloat32(0x01, 'float8e5m2'), 2 ** -16);
    assert.equal(float8ToFloat32(0x7c, 'float8e5m2'), Infinity);
    assert.equal(float8ToFloat32(0xfc, 'float8e5m2'), -Infinity);
    assert.ok(Number.isNaN(float8ToFloat32(0x7d, 'float8e5m2')));
    assert.equal(float8ToFloat32(0x40, 'float8e5m2fnuz'), 1);
    assert.equal(float8ToFloat32(0x7f, 'float8e5m2fnuz'), 57344);
    assert.equal(float8ToFloat32(0x01, 'float8e5m2fnuz'), 2 ** -17);
    assert.ok(Number.isNaN(float8ToFloat32(0x80, 'float8e5m2fnuz')));
    assert.equal(float8ToFloat32(127, 'float8e8m0'), 1);
    assert.equal(float8ToFloat32(128, 'float8e8m0'), 2);
    assert.equal(float8ToFloat32(0, 'float8e8m0'), 2 ** -127);
    assert.ok(Number.isNaN(float8ToFloat32(0xff, 'float8e8m0')));
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 9, 15].map(float4e2m1ToFloat32), [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.5, -6]);
  });

  test('encode with round-to-nearest-even and ONNX Cast saturation rules', () => {
    assert.equal(float32ToFloat8(1, 'float8e4m3fn'), 0x38);
    assert.equal(float32ToFloat8(-2, 'float8e4m3fn'), 0xc0);
    assert.equal(float32ToFloat8(1.0625, 'float8e4m3fn'), 0x38); // halfway 1 / 1.125 → even
    assert.equal(float32ToFloat8(1.1875, 'float8e4m3fn'), 0x3a); // halfway 1.125 / 1.25 → even
    assert.equal(float32ToFloat8(500, 'float8e4m3fn'), 0x7e); // saturates to 448
    assert.equal(float32ToFloat8(Infinity, 'float8e4m3fn'), 0x7e);
    assert.equal(float32ToFloat8(500, 'float8e4m3fn', false), 0x7f); // NaN
    assert.equal(float32ToFloat8(-Infinity, 'float8e4m3fn', false), 0xff);
    assert.equal(float32ToFloat8(Infinity, 'float8e4m3fnuz'), 0x80); // NaN even when saturating
    assert.equal(float32ToFloat8(-0, 'float8e4m3fnuz'), 0x00); // no -0
    assert.equal(float32ToFloat8(60000, 'float8e5m2', false), 0x7b); // below halfway to the next step (61440)
    assert.equal(float32ToFloat8(70000, 'float8e5m2', false), 0x7c); // Infinity
    assert.equal(float32ToFloat8(70000, 'float8e5m2'), 0x7b);
    assert.equal(float32ToFloat8(NaN, 'float8e5m2fnuz'), 0x80);
    for (const type of ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz'] as const) {
      for (let bits = 0; bits < 256; bits++) {
        const v = float8ToFloat32(bits, type);
        if (Number.isFinite(v) && !(bits === 0x80 && Object.is(v, -0) && type.endsWith('fnuz')))
          assert.equal(float32ToFloat8(v, type), bits, `${type} 0x${bits.toString(16)}`);
      }
    }
  });
});

describe('tensor read/write', () => {
  test('int4/uint4/int2 pack first element in the low bits and unpack with sign', () => {
    const int4 = makeTensor('q', [5], Int8Array.from([1, -1, 7, -8, 0]), 'int4');
    assert.deepEqual([...int4.rawData], [0xf1, 0x87, 0x00]);
    assert.equal(int4.dataType, DT.INT4);
    assert.deepEqual([...tensorToArray(int4)], [1, -1, 7, -8, 0]);
    const uint4 = makeTensor('u', [3], Uint8Array.from([15, 0, 3]), 'uint4');
    assert.deepEqual([...uint4.rawData], [0x0f, 0x03]);
    assert.deepEqual([...tensorToArray(uint4)], [15, 0, 3]);
    const int2 = makeTensor('i2', [5], Int8Array.from([1, -2, -1, 0, 1]), 'int2');
    assert.deepEqual([...int2.rawData], [0x39, 0x01]);
    assert.deepEqual([...tensorToArray(int2)], [1, -2, -1, 0, 1]);
    assert.equal(rawByteLength('int4', 5), 3);
    assert.throws(
      () => makeTensor('bad', [1], Int8Array.from([8]), 'int4'),
      (e: unknown) => e instanceof TierwiseError && e.code === 'TENSOR_VALUE_RANGE',
    );
  });

  test('int4 from int32_data: one packed byte per entry', () => {
    const t = onnx.TensorProto.create({ name: 't', dims: [5], dataType: DT.INT4, int32Data: [0xf1, 0x87, 0x00] });
    assert.deepEqual([...tensorToArray(t)], [1, -1, 7, -8, 0]);
  });

  test('float16 and bfloat16 tensors decode to float32 from raw_data and from int32_data', () => {
    const raw = makeTensor('h', [3], Uint16Array.from([0x3c00, 0xc000, 0x0001]), 'float16');
    assert.deepEqual([...raw.rawData], [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00]); // little-endian
    assert.deepEqual([...tensorToFloat32(raw)], [1, -2, 2 ** -24]);
    const typed = onnx.TensorProto.create({ name: 'h', dims: [2], dataType: DT.FLOAT16, int32Data: [0x3c00, 0xc000] });
    assert.deepEqual([...tensorToArray(typed)], [0x3c00, 0xc000]);
    assert.deepEqual([...tensorToFloat32(typed)], [1, -2]);
    const bf = makeTensor('b', [2], encodeFromFloat32([1, -2], 'bfloat16'), 'bfloat16');
    assert.deepEqual([...bf.rawData], [0x80, 0x3f, 0x00, 0xc0]);
    assert.deepEqual([...tensorToFloat32(bf)], [1, -2]);
    const f8 = makeTensor('f8', [2], encodeFromFloat32([448, -2], 'float8e4m3fn'), 'float8e4m3fn');
    assert.deepEqual([...f8.rawData], [0x7e, 0xc0]);
    assert.deepEqual([...tensorToFloat32(f8)], [448, -2]);
    assert.throws(
      () => makeTensor('h', [2], Float32Array.from([1, 2]), 'float16'),
      (e: unknown) => e instanceof TierwiseError && e.code === 'TENSOR_SHAPE_MISMATCH',
    );
  });

  test('int64, bool, uint8, int8, int32, double, uint32 from raw_data and from their typed fields', () => {
    const minus2 = makeTensor('i', [2], BigInt64Array.from([-2n, 2n ** 40n]));
    assert.deepEqual([...minus2.rawData.subarray(0, 8)], [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...tensorToArray(minus2)], [-2n, 2n ** 40n]);
    assert.deepEqual(
      [...tensorToArray(onnx.TensorProto.create({ dims: [2], dataType: DT.INT64, int64Data: [-2, 2 ** 40] }))],
      [-2n, 2n ** 40n],
    );
    assert.deepEqual([...tensorToArray(makeTensor('b', [3], Uint8Array.from([1, 0, 1]), 'bool'))], [1, 0, 1]);
    assert.deepEqual([...tensorToArray(onnx.TensorProto.create({ dims: [2], dataType: DT.BOOL, int32Data: [1, 0] }))], [1, 0]);
    assert.deepEqual([...tensorToArray(onnx.TensorProto.create({ dims: [2], dataType: DT.UINT8, int32Data: [255, 7] }))], [255, 7]);
    const int8 = tensorToArray(onnx.TensorProto.create({ dims: [2], dataType: DT.INT8, int32Data: [-3, 5] }));
    assert.ok(int8 instanceof Int8Array);
    assert.deepEqual([...int8], [-3, 5]);
    assert.deepEqual([...tensorToArray(makeTensor('i8', [2], Int8Array.from([-128, 127])))], [-128, 127]);
    assert.deepEqual([...tensorToArray(onnx.TensorProto.create({ dims: [2], dataType: DT.INT32, int32Data: [-70000, 3] }))], [-70000, 3]);
    assert.deepEqual([...tensorToArray(makeTensor('d', [2], Float64Array.from([0.1, -1e300])))], [0.1, -1e300]);
    assert.deepEqual(
      [...tensorToArray(onnx.TensorProto.create({ dims: [2], dataType: DT.DOUBLE, doubleData: [0.1, -1e300] }))],
      [0.1, -1e300],
    );
    assert.deepEqual(
      [...tensorToArray(onnx.TensorProto.create({ dims: [1], dataType: DT.UINT32, uint64Data: [4294967295] }))],
      [4294967295],
    );
    assert.deepEqual([...tensorToFloat32(onnx.TensorProto.create({ dims: [2], dataType: DT.INT64, int64Data: [-2, 3] }))], [-2, 3]);
    // A scalar (no dims) holds one element.
    assert.deepEqual([...tensorToArray(onnx.TensorProto.create({ dataType: DT.FLOAT, floatData: [2.5] }))], [2.5]);
  });

  test('a raw_data length that does not fit the shape is MODEL_CORRUPT', () => {
    const t = onnx.TensorProto.create({ name: 'w', dims: [3], dataType: DT.FLOAT, rawData: new Uint8Array(8) });
    assert.throws(
      () => tensorToArray(t),
      (e: unknown) => e instanceof TierwiseError && e.code === 'MODEL_CORRUPT' && /8 bytes for 3 float32/.test(e.message),
    );
    const packed = onnx.TensorProto.create({ name: 'q', dims: [5], dataType: DT.INT4, rawData: new Uint8Array(2) });
    assert.throws(
      () => tensorToArray(packed),
      (e: unknown) => e instanceof TierwiseError && e.code === 'MODEL_CORRUPT',
    );
  });
});
