import { TierwiseError } from '../../common/errors';
import type { ElementType } from '../../onnx/io-spec';

/** One array from a .npy file: element type, shape (any rank; [] for a scalar) and the values, typed. */
export interface NpyArray {
  type: ElementType;
  shape: number[];
  data: Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;
}

function invalid(where: string, message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', `${where}: ${message}`);
}

/** NumPy dtype descr → element type and typed array (little-endian or byte-sized only). */
const DESCR: Record<string, { type: ElementType; bytes: number; make: (buf: ArrayBuffer, n: number) => NpyArray['data'] }> = {
  '<f4': { type: 'float32', bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  '<f8': { type: 'float64', bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
  '<f2': { type: 'float16', bytes: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  '<i8': { type: 'int64', bytes: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
  '<i4': { type: 'int32', bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
  '|u1': { type: 'uint8', bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  '|i1': { type: 'int8', bytes: 1, make: (b, n) => new Int8Array(b, 0, n) },
  '|b1': { type: 'bool', bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
};

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/**
 * Parses the NPY format (versions 1–3): the header's Python-literal dict gives `descr`, `fortran_order` and
 * `shape`. C order only (a Fortran-ordered array is refused: re-save with np.ascontiguousarray); big-endian
 * and object arrays are refused by name. The values are copied into a fresh, aligned typed array.
 */
export function parseNpy(bytes: Uint8Array, where = 'npy'): NpyArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw invalid(where, 'not an NPY file (no \\x93NUMPY magic)');
  const major = buf[6]!;
  if (major < 1 || major > 3) throw invalid(where, `NPY version ${major} is not supported (1, 2, 3)`);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) throw invalid(where, 'truncated header');
  const header = buf.subarray(start, start + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = header.match(/['"]descr['"]\s*:\s*['"]([^'"]+)['"]/)?.[1];
  const fortran = header.match(/['"]fortran_order['"]\s*:\s*(True|False)/)?.[1];
  const shapeText = header.match(/['"]shape['"]\s*:\s*\(([^)]*)\)/)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw invalid(where, `unreadable header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw invalid(where, 'Fortran-ordered arrays are not supported: save with np.ascontiguousarray(a)');
  const normalized =
    descr === '=f4'
      ? '<f4'
      : descr === '=f8'
        ? '<f8'
        : descr === '=f2'
          ? '<f2'
          : descr === '=i8'
            ? '<i8'
            : descr === '=i4'
              ? '<i4'
              : descr === '<u1'
                ? '|u1'
                : descr === '<i1'
                  ? '|i1'
                  : descr === '<b1'
                    ? '|b1'
                    : descr;
  const kind = DESCR[normalized];
  if (!kind)
    throw invalid(where, `dtype ${descr} is not supported (float32, float16, float64, int64, int32, uint8, int8, bool; little-endian)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw invalid(where, `bad dimension ${s} in shape (${shapeText})`);
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const need = count * kind.bytes;
  if (buf.length - dataStart < need)
    throw invalid(where, `shape (${shape.join(', ')}) of ${descr} needs ${need} bytes, the file has ${buf.length - dataStart}`);
  const copy = new ArrayBuffer(need);
  new Uint8Array(copy).set(buf.subarray(dataStart, dataStart + need));
  return { type: kind.type, shape, data: kind.make(copy, count) };
}

/** Row `index` along the leading axis: the per-sample tensor (shape[1:], a scalar [] when the array is 1-D). */
export function sliceLeading(array: NpyArray, index: number): NpyArray {
  const inner = array.shape.slice(1);
  const per = inner.reduce((a, b) => a * b, 1);
  const Ctor = array.data.constructor as new (values: ArrayLike<number | bigint>) => NpyArray['data'];
  const view = (array.data as unknown as { subarray(a: number, b: number): ArrayLike<number | bigint> }).subarray(
    index * per,
    (index + 1) * per,
  );
  return { type: array.type, shape: inner, data: new Ctor(view) };
}
