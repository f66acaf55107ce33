import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  writeSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, win32 } from 'node:path';
import { onnx } from './proto';
import { TierwiseError } from '../common/errors';

export { onnx };
export type ModelProto = onnx.ModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;

/** Hard ceiling so a hostile upload cannot make us decode gigabytes into objects. */
const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Decodes a ModelProto. Tensor `rawData` fields stay views into `bytes`, so callers must not mutate `bytes`
 * afterwards; `tensorToArray` copies before reinterpreting. Anything that is not a model with a graph is
 * MODEL_CORRUPT: protobufjs errors (truncation, bad wire types, stack overflow on deep nesting) are caught here.
 */
export function loadModel(bytes: Uint8Array, label = 'model'): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} is empty`);
  }
  if (bytes.byteLength > MAX_MODEL_BYTES) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} is larger than 2 GiB, the protobuf limit`);
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TierwiseError('MODEL_CORRUPT', `${label} does not decode as an ONNX ModelProto: ${reason}`);
  }
  if (!model.graph || !Array.isArray(model.graph.node)) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} decodes but holds no graph`);
  }
  return model;
}

export function saveModel(model: onnx.IModelProto): Uint8Array {
  const writer = onnx.ModelProto.encode(model);
  if (writer.len > MAX_MODEL_BYTES) {
    throw new TierwiseError(
      'MODEL_TOO_LARGE',
      `the model encodes to ${writer.len} bytes, over the 2 GiB protobuf limit: save it with external data (saveModelToFile)`,
    );
  }
  return writer.finish();
}

/** A deep, independent copy (the encoded form owns its bytes, so later edits never touch the source buffer). */
export function cloneModel(model: onnx.IModelProto): onnx.ModelProto {
  return onnx.ModelProto.decode(Uint8Array.from(saveModel(model)));
}

/** Converts protobufjs int64 values (Long or number) to a JS number. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** The opset version imported for `domain` ('' = the default ONNX domain), or undefined. */
export function opsetVersion(model: onnx.IModelProto, domain = ''): number | undefined {
  const entry = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'));
  return entry ? toNumber(entry.version) : undefined;
}

/** Makes sure `domain` is imported at `minVersion` or later (ops we insert may need a newer opset). */
export function ensureOpset(model: onnx.IModelProto, domain: string, minVersion: number): void {
  model.opsetImport ??= [];
  const entry = model.opsetImport.find((o) => (o.domain ?? '') === domain);
  if (!entry) model.opsetImport.push(onnx.OperatorSetIdProto.create({ domain, version: minVersion }));
  else if (toNumber(entry.version) < minVersion) entry.version = minVersion;
}

// ---------------------------------------------------------------------------------------------------------------
// External data: tensors whose bytes live in files beside the model (data_location = EXTERNAL, external_data
// entries location / offset / length, location relative to the model's folder).

/** Every tensor the model holds: initializers, sparse initializers and attribute tensors, subgraphs included. */
export function allTensors(model: onnx.IModelProto): onnx.ITensorProto[] {
  const out: onnx.ITensorProto[] = [];
  const visit = (graph: onnx.IGraphProto, depth: number): void => {
    if (depth > 64) throw new TierwiseError('MODEL_CORRUPT', 'subgraphs are nested more than 64 levels deep');
    out.push(...(graph.initializer ?? []));
    for (const sparse of graph.sparseInitializer ?? []) for (const t of [sparse.values, sparse.indices]) if (t) out.push(t);
    for (const node of graph.node ?? []) {
      for (const attr of node.attribute ?? []) {
        if (attr.t) out.push(attr.t);
        out.push(...(attr.tensors ?? []));
        for (const sparse of [attr.sparseTensor, ...(attr.sparseTensors ?? [])])
          for (const t of [sparse?.values, sparse?.indices]) if (t) out.push(t);
        if (attr.g) visit(attr.g, depth + 1);
        for (const g of attr.graphs ?? []) visit(g, depth + 1);
      }
    }
  };
  if (model.graph) visit(model.graph, 0);
  return out;
}

function tensorIsExternal(tensor: onnx.ITensorProto): boolean {
  return tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0;
}

function pathError(tensor: string, location: string, why: string): TierwiseError {
  return new TierwiseError(
    'MODEL_EXTERNAL_DATA_PATH',
    `tensor ${tensor}: external data location "${location}" ${why}; locations must be relative paths inside the model's folder`,
  );
}

/**
 * Resolves an external-data `location` inside `dir`, refusing anything that could read outside it: absolute paths
 * (POSIX or Windows), `..` segments, NUL bytes, and symlinks (of the file or a folder on the way) that lead out.
 */
export function resolveExternalLocation(dir: string, location: string, tensor = '(unnamed)'): string {
  if (!location) throw pathError(tensor, location, 'is empty');
  if (location.includes('\0')) throw pathError(tensor, location, 'contains a NUL byte');
  if (isAbsolute(location) || win32.isAbsolute(location) || /^[A-Za-z]:/.test(location)) throw pathError(tensor, location, 'is absolute');
  if (location.split(/[\\/]/).includes('..')) throw pathError(tensor, location, 'climbs out with ".."');
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    throw new TierwiseError('MODEL_EXTERNAL_DATA_MISSING', `the external data folder ${dir} does not exist`);
  }
  const candidate = resolve(dir, location);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    // Missing, or a dangling symlink: say which, without following it.
    let dangling = false;
    try {
      dangling = lstatSync(candidate).isSymbolicLink();
    } catch {
      /* missing */
    }
    if (dangling) throw pathError(tensor, location, 'is a symlink to nothing');
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA_MISSING',
      `tensor ${tensor}: external data file "${location}" is not in the model's folder: send it with the model`,
    );
  }
  const rel = relative(realDir, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw pathError(tensor, location, 'leads outside the folder (through a symlink)');
  if (!statSync(real).isFile()) throw pathError(tensor, location, 'is not a regular file');
  return real;
}

function externalEntries(tensor: onnx.ITensorProto): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const e of tensor.externalData ?? []) if (e.key) entries[e.key] = e.value ?? '';
  return entries;
}

function parseCount(tensor: string, key: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new TierwiseError('MODEL_CORRUPT', `tensor ${tensor}: external data ${key} "${value}" is not a byte count`);
  }
  return Number(value);
}

/** Bytes an external tensor must hold, when its type has a fixed width (0-dim = scalar = 1 element). */
function expectedBytes(tensor: onnx.ITensorProto): number | undefined {
  const count = (tensor.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1);
  const code = tensor.dataType ?? 0;
  const DT = onnx.TensorProto.DataType;
  const bits: Record<number, number> = {
    [DT.FLOAT]: 32,
    [DT.UINT8]: 8,
    [DT.INT8]: 8,
    [DT.UINT16]: 16,
    [DT.INT16]: 16,
    [DT.INT32]: 32,
    [DT.INT64]: 64,
    [DT.BOOL]: 8,
    [DT.FLOAT16]: 16,
    [DT.DOUBLE]: 64,
    [DT.UINT32]: 32,
    [DT.UINT64]: 64,
    [DT.COMPLEX64]: 64,
    [DT.COMPLEX128]: 128,
    [DT.BFLOAT16]: 16,
    [DT.FLOAT8E4M3FN]: 8,
    [DT.FLOAT8E4M3FNUZ]: 8,
    [DT.FLOAT8E5M2]: 8,
    [DT.FLOAT8E5M2FNUZ]: 8,
    [DT.FLOAT8E8M0]: 8,
    [DT.UINT4]: 4,
    [DT.INT4]: 4,
    [DT.FLOAT4E2M1]: 4,
    [DT.UINT2]: 2,
    [DT.INT2]: 2,
  };
  return bits[code] === undefined ? undefined : Math.ceil((count * bits[code]) / 8);
}

export interface ExternalDataSummary {
  /** Tensors whose bytes were read from external files. */
  tensors: number;
  bytes: number;
  /** Data files read, relative to the folder. */
  files: string[];
}

/**
 * Reads every external tensor's bytes (location relative to `dir`, optional offset and length) into raw_data and
 * marks the tensor as embedded, so the engines see an ordinary model. Refuses escaping paths
 * (MODEL_EXTERNAL_DATA_PATH), missing files (MODEL_EXTERNAL_DATA_MISSING) and ranges the file or the tensor's
 * shape do not allow (MODEL_CORRUPT).
 */
export function resolveExternalData(model: onnx.IModelProto, dir: string): ExternalDataSummary {
  const fds = new Map<string, { fd: number; size: number }>();
  const summary: ExternalDataSummary = { tensors: 0, bytes: 0, files: [] };
  const read = new Map<string, Uint8Array>();
  let distinctBytes = 0;
  try {
    for (const tensor of allTensors(model)) {
      if (!tensorIsExternal(tensor)) continue;
      const name = tensor.name || '(unnamed)';
      const entries = externalEntries(tensor);
      const location = entries.location ?? '';
      const path = resolveExternalLocation(dir, location, name);
      let file = fds.get(path);
      if (!file) {
        const fd = openSync(path, 'r');
        file = { fd, size: fstatSync(fd).size };
        fds.set(path, file);
        summary.files.push(location);
      }
      const offset = parseCount(name, 'offset', entries.offset) ?? 0;
      const expected = expectedBytes(tensor);
      const length = parseCount(name, 'length', entries.length) ?? expected ?? file.size - offset;
      if (offset + length > file.size) {
        throw new TierwiseError(
          'MODEL_CORRUPT',
          `tensor ${name}: external data ${location} holds ${file.size} bytes, the tensor needs ${offset}..${offset + length}`,
        );
      }
      if (expected !== undefined && length !== expected) {
        throw new TierwiseError(
          'MODEL_CORRUPT',
          `tensor ${name}: external data length ${length} does not fit its shape and type (${expected} bytes)`,
        );
      }
      // Tensors naming the same range share one copy; distinct ranges may not add up to more than the files hold
      // (a crafted model could otherwise point a thousand tensors at one large range and exhaust memory).
      const key = `${path}\0${offset}\0${length}`;
      let bytes = read.get(key);
      if (!bytes) {
        distinctBytes += length;
        const available = [...fds.values()].reduce((a, f) => a + f.size, 0);
        if (distinctBytes > available) {
          throw new TierwiseError(
            'MODEL_CORRUPT',
            `external tensors claim ${distinctBytes} bytes, more than their data files hold (${available}): their ranges overlap`,
          );
        }
        bytes = new Uint8Array(length);
        for (let done = 0; done < length;) {
          const n = readSync(file.fd, bytes, done, length - done, offset + done);
          if (n <= 0) throw new TierwiseError('MODEL_CORRUPT', `tensor ${name}: external data ${location} ended early`);
          done += n;
        }
        read.set(key, bytes);
      }
      tensor.rawData = bytes;
      tensor.externalData = [];
      delete tensor.dataLocation;
      summary.tensors++;
      summary.bytes += length;
    }
  } finally {
    for (const { fd } of fds.values()) closeSync(fd);
  }
  return summary;
}

export interface LoadFromFileOptions {
  /** Folder external data locations are relative to (default: the model file's folder). */
  externalDataDir?: string;
  label?: string;
}

/**
 * Loads a model file; tensors kept in external data files are read in (see resolveExternalData), so the result is
 * self-contained in memory. The .onnx file itself must be under 2 GiB, as protobuf requires.
 */
export function loadModelFromFile(path: string, options: LoadFromFileOptions = {}): onnx.ModelProto {
  const label = options.label ?? basename(path);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new TierwiseError('MODEL_NOT_FOUND', `${label}: no such model file`);
  }
  if (size > MAX_MODEL_BYTES) {
    throw new TierwiseError('MODEL_CORRUPT', `${label} is larger than 2 GiB, the protobuf limit: keep its weights in external data files`);
  }
  const model = loadModel(readFileSync(path), label);
  resolveExternalData(model, options.externalDataDir ?? dirname(path));
  return model;
}

export interface SaveToFileOptions {
  /**
   * 'auto' (default): external data only when the embedded model would exceed the 2 GiB protobuf limit;
   * true: always; false: never (a model over the limit is then MODEL_TOO_LARGE).
   */
  externalData?: boolean | 'auto';
  /** Data file name, relative to the model's folder (default `<model file name>.data`). */
  location?: string;
  /** Tensors with fewer raw bytes stay embedded (default 1024, as onnx's own converter). */
  sizeThreshold?: number;
  /** 'auto' moves data out when the embedded encoding would be larger than this (default and maximum: 2 GiB - 1). */
  maxEmbeddedBytes?: number;
}

export interface SavedModelFiles {
  modelPath: string;
  /** Absent when everything stayed embedded. */
  dataPath?: string;
  externalTensors: number;
  dataBytes: number;
}

/** Tensors of 1 MiB or more start on a 64 KiB boundary in the data file (what onnx does, mmap-friendly). */
const ALIGN_THRESHOLD = 1024 * 1024;
const ALIGNMENT = 64 * 1024;

/**
 * Writes the model to `path`, moving large tensors' raw_data into one data file beside it when asked or when the
 * model would not fit in one protobuf. The caller's model is left as it was (tensors are swapped back after encoding).
 */
export function saveModelToFile(model: onnx.IModelProto, path: string, options: SaveToFileOptions = {}): SavedModelFiles {
  const tensors = allTensors(model);
  const stillExternal = tensors.find(tensorIsExternal);
  if (stillExternal) {
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA',
      `tensor ${stillExternal.name || '(unnamed)'} still refers to an external file: load the model with loadModelFromFile first`,
    );
  }
  const mode = options.externalData ?? 'auto';
  if (mode !== true) {
    const writer = onnx.ModelProto.encode(model);
    const limit = Math.min(options.maxEmbeddedBytes ?? MAX_MODEL_BYTES, MAX_MODEL_BYTES);
    if (mode === false || writer.len <= limit) {
      if (writer.len > limit) {
        throw new TierwiseError('MODEL_TOO_LARGE', `the model encodes to ${writer.len} bytes, over ${limit}: save it with external data`);
      }
      writeFileSync(path, writer.finish());
      return { modelPath: path, externalTensors: 0, dataBytes: 0 };
    }
  }
  const location = options.location ?? `${basename(path)}.data`;
  if (location.includes('/') || location.includes('\\') || location === '..' || location === '.' || location.includes('\0')) {
    throw pathError('(all)', location, 'must be a plain file name');
  }
  const threshold = options.sizeThreshold ?? 1024;
  const dataPath = join(dirname(path), location);
  const moved: Array<{ tensor: onnx.ITensorProto; rawData: Uint8Array; hadLocation: boolean; location: number | null | undefined }> = [];
  const fd = openSync(dataPath, 'w');
  let offset = 0;
  try {
    for (const tensor of tensors) {
      const raw = tensor.rawData;
      if (!raw || raw.byteLength < threshold || tensor.dataType === onnx.TensorProto.DataType.STRING) continue;
      if (raw.byteLength >= ALIGN_THRESHOLD && offset % ALIGNMENT) {
        const pad = ALIGNMENT - (offset % ALIGNMENT);
        writeAll(fd, new Uint8Array(pad));
        offset += pad;
      }
      writeAll(fd, raw);
      moved.push({
        tensor,
        rawData: raw,
        hadLocation: Object.prototype.hasOwnProperty.call(tensor, 'dataLocation'),
        location: tensor.dataLocation,
      });
      tensor.externalData = [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(raw.byteLength) },
      ];
      tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      delete tensor.rawData;
      offset += raw.byteLength;
    }
    writeFileSync(path, saveModel(model));
  } finally {
    closeSync(fd);
    for (const m of moved) {
      m.tensor.rawData = m.rawData;
      m.tensor.externalData = [];
      if (m.hadLocation) m.tensor.dataLocation = m.location;
      else delete m.tensor.dataLocation;
    }
  }
  return { modelPath: path, dataPath, externalTensors: moved.length, dataBytes: offset };
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}
