import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fromFloat16Bits, toFloat16Bits } from '../../onnx/input-spec';
import { parseNpy, sliceLeading, type NpyArray } from './npy';
import { TierwiseError } from '../../common/errors';
import type { ElementType, TensorSpec } from '../../onnx/io-spec';
import type { DatasetSample } from './types';
import type { InputTensor } from '../../onnx/io-spec';

const LABEL_KEYS = ['labels', 'label'];
/** Per-sample target values (regression outputs, or 0/1 per label for a multilabel model), instead of class labels. */
const TARGET_KEY = 'targets';
const NOT_INPUTS = [...LABEL_KEYS, TARGET_KEY];

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message);
}

function shapeOf(value: unknown, where: string): number[] {
  if (!Array.isArray(value)) {
    if (typeof value !== 'number' && typeof value !== 'boolean') throw invalid(`${where}: holds ${JSON.stringify(value)}, not a number`);
    return [];
  }
  if (value.length === 0) return [0];
  return [value.length, ...shapeOf(value[0], where)];
}

function flatten(value: unknown, shape: number[], where: string, out: number[]): void {
  if (shape.length === 0) {
    if (typeof value === 'boolean') out.push(value ? 1 : 0);
    else if (typeof value === 'number' && Number.isFinite(value)) out.push(value);
    else throw invalid(`${where}: holds ${JSON.stringify(value)}, not a finite number`);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[0]) throw invalid(`${where}: ragged array, expected shape [${shape.join(',')}]`);
  for (const item of value) flatten(item, shape.slice(1), where, out);
}

function typed(values: number[], type: ElementType, where: string): InputTensor['data'] {
  const integral = (): void => {
    if (!values.every(Number.isInteger)) throw invalid(`${where}: ${type} input holds non-integer values`);
  };
  switch (type) {
    case 'int64':
      integral();
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32':
      integral();
      return Int32Array.from(values);
    case 'uint8':
    case 'bool':
      integral();
      return Uint8Array.from(values);
    case 'int8':
      integral();
      return Int8Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'float32':
      return Float32Array.from(values);
    case 'float16':
      return Uint16Array.from(values, (v) => toFloat16Bits(v));
    default:
      throw invalid(`${where}: element type ${type} is not supported in tensor datasets`);
  }
}

function labelling(labels: boolean, targets: boolean): Pick<TensorRecords, 'labelled' | 'labelKind'> {
  return labels ? { labelled: true, labelKind: 'class' } : targets ? { labelled: true, labelKind: 'values' } : { labelled: false };
}

export interface TensorRecords {
  labelled: boolean;
  /** `class` for labels, `values` for targets. */
  labelKind?: 'class' | 'values';
  count: number;
  samples: DatasetSample[];
}

/**
 * A sample's dims as fed: no batch dim is forced. One of 1 is added only when the model declares exactly one more
 * axis than the sample has (a sample `[3, 224, 224]` for an input `[N, 3, 224, 224]`); a sample with the input's
 * full rank (`[1, 16000]` for `[batch, samples]`) or a scalar for a scalar input is fed as it is.
 */
function sampleDims(declared: TensorSpec | undefined, shape: number[]): number[] {
  if (!declared) return [1, ...shape];
  return declared.shape && declared.shape.length === shape.length + 1 ? [1, ...shape] : shape;
}

/**
 * `{"<input>": [sample, ...], ..., "labels": [...]}`: each input holds one nested array per sample, at any rank
 * (see sampleDims: no forced batch dim when the model's inputs are known). Element types
 * come from the model's inputs when known (float32 otherwise). Payload = the raw tensor bytes, which is what
 * a client of a tensor model would send.
 */
export function readTensorDataset(file: string, modelInputs?: TensorSpec[], limit?: number): TensorRecords {
  if (file.toLowerCase().endsWith('.npy') || statSync(file).isDirectory()) return readNpyDataset(file, modelInputs, limit);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(`${basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalid(`${basename(file)} must be an object of input name -> samples`);
  const root = json as Record<string, unknown>;
  const labelKey = LABEL_KEYS.find((key) => root[key] !== undefined);
  const inputNames = Object.keys(root).filter((key) => !NOT_INPUTS.includes(key));
  if (inputNames.length === 0) throw invalid(`${basename(file)} has no input arrays`);
  const columns = inputNames.map((name) => {
    const column = root[name];
    if (!Array.isArray(column)) throw invalid(`input ${name} must be an array with one entry per sample`);
    return column;
  });
  const count = columns[0].length;
  columns.forEach((column, i) => {
    if (column.length !== count) throw invalid(`input ${inputNames[i]} has ${column.length} samples, ${inputNames[0]} has ${count}`);
  });
  const labels = labelKey ? root[labelKey] : undefined;
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== count))
    throw invalid(`"${labelKey}" must be an array of ${count} class indices`);
  const targets = root[TARGET_KEY];
  if (targets !== undefined && labels !== undefined) throw invalid(`give "${labelKey}" (class indices) or "targets" (values), not both`);
  if (targets !== undefined && (!Array.isArray(targets) || targets.length !== count))
    throw invalid(`"targets" must be an array of ${count} entries, one number or array of numbers per sample`);
  const targetShape = targets !== undefined ? shapeOf((targets as unknown[])[0], 'targets sample 0') : undefined;
  const take = Math.min(count, limit ?? count);
  const shapes = inputNames.map((name, i) => shapeOf(columns[i][0], `input ${name} sample 0`));
  const samples: DatasetSample[] = [];
  for (let s = 0; s < take; s++) {
    const inputs: Record<string, InputTensor> = {};
    let payloadBytes = 0;
    inputNames.forEach((name, i) => {
      const where = `input ${name} sample ${s}`;
      const values: number[] = [];
      flatten(columns[i][s], shapes[i], where, values);
      const declared = modelInputs?.find((spec) => spec.name === name);
      const type = declared && declared.elemType !== 'unknown' ? declared.elemType : 'float32';
      const data = typed(values, type, where);
      payloadBytes += data.byteLength;
      inputs[name] = { type, dims: sampleDims(declared, shapes[i]!), data };
    });
    const label = labels ? (labels as unknown[])[s] : undefined;
    if (labels && !(Number.isInteger(label) && (label as number) >= 0))
      throw invalid(`labels[${s}] = ${JSON.stringify(label)} is not a class index`);
    let target: DatasetSample['target'];
    if (targets !== undefined) {
      const values: number[] = [];
      flatten((targets as unknown[])[s], targetShape!, `targets sample ${s}`, values);
      if (values.some((v) => !Number.isFinite(v))) throw invalid(`targets[${s}] holds a value that is not a finite number`);
      target = { kind: 'values', values: Float32Array.from(values) };
    }
    samples.push({ id: `sample ${s}`, label: label as number | undefined, payloadBytes, inputs, ...(target ? { target } : {}) });
  }
  return { ...labelling(labels !== undefined, targets !== undefined), count, samples };
}

/**
 * NPY / NPZ tensors: one array per model input, named by the file (`x.npy`, or the `x` entry of an .npz, which
 * arrives here as the folder it was safely extracted to), plus an optional `labels` (or `label`) array. The
 * leading axis is the sample axis; a sample's tensor is the rest, at any rank — a 1-D array gives scalar samples,
 * and a 0-d array (e.g. `sr = 16000`) is the same value for every sample. No batch dim is forced: one of 1 is
 * added only when the model declares exactly one more axis than the sample has. A single .npy feeds the model's
 * only input. Element types are the file's (float32/float16/float64/int64/int32/uint8/int8/bool), converted to
 * the model input's type when it declares another one.
 */
export function readNpyDataset(path: string, modelInputs?: TensorSpec[], limit?: number): TensorRecords {
  const arrays = new Map<string, NpyArray>();
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path)
      .filter((name) => name.toLowerCase().endsWith('.npy'))
      .sort();
    if (files.length === 0) throw invalid(`${basename(path)} holds no .npy arrays`);
    for (const name of files) arrays.set(name.slice(0, -4), parseNpy(readFileSync(join(path, name)), name));
  } else {
    const stem = basename(path).replace(/\.npy$/i, '');
    const only = modelInputs?.length === 1 ? modelInputs[0]!.name : undefined;
    arrays.set(modelInputs?.some((m) => m.name === stem) ? stem : (only ?? stem), parseNpy(readFileSync(path), basename(path)));
  }
  const labelKey = LABEL_KEYS.find((key) => arrays.has(key));
  const inputNames = [...arrays.keys()].filter((key) => !NOT_INPUTS.includes(key));
  if (inputNames.length === 0) throw invalid(`${basename(path)} has no input arrays`);
  const sampled = inputNames.filter((name) => arrays.get(name)!.shape.length > 0);
  const count = sampled.length === 0 ? 1 : arrays.get(sampled[0]!)!.shape[0]!;
  for (const name of sampled) {
    const n = arrays.get(name)!.shape[0];
    if (n !== count) throw invalid(`array ${name} has ${n} samples along its leading axis, ${sampled[0]} has ${count}`);
  }
  const labels = labelKey ? arrays.get(labelKey)! : undefined;
  if (labels && (labels.shape.length !== 1 || labels.shape[0] !== count))
    throw invalid(`"${labelKey}" must be a 1-D array of ${count} class indices, got shape (${labels.shape.join(', ')})`);
  const targets = arrays.get(TARGET_KEY);
  if (targets && labels) throw invalid(`give "${labelKey}" (class indices) or "targets" (values), not both`);
  if (targets && (targets.shape.length === 0 || targets.shape[0] !== count))
    throw invalid(`"targets" must have ${count} samples along its leading axis, got shape (${targets.shape.join(', ')})`);
  const take = Math.min(count, limit ?? count);
  const samples: DatasetSample[] = [];
  for (let s = 0; s < take; s++) {
    const inputs: Record<string, InputTensor> = {};
    let payloadBytes = 0;
    for (const name of inputNames) {
      const array = arrays.get(name)!;
      const sample = array.shape.length === 0 ? array : sliceLeading(array, s);
      const declared = modelInputs?.find((spec) => spec.name === name);
      const type = declared && declared.elemType !== 'unknown' ? declared.elemType : sample.type;
      const dims = declared ? sampleDims(declared, sample.shape) : sample.shape;
      const data = convert(sample, type, `array ${name} sample ${s}`);
      payloadBytes += data.byteLength;
      inputs[name] = { type, dims, data };
    }
    let label: number | undefined;
    if (labels) {
      label = Number(labels.data[s]);
      if (!(Number.isInteger(label) && label >= 0)) throw invalid(`${labelKey}[${s}] = ${label} is not a class index`);
    }
    let target: DatasetSample['target'];
    if (targets) {
      const values = Float32Array.from(convert(sliceLeading(targets, s), 'float32', `targets sample ${s}`) as Float32Array);
      if (values.some((v) => !Number.isFinite(v))) throw invalid(`targets[${s}] holds a value that is not a finite number`);
      target = { kind: 'values', values };
    }
    samples.push({ id: `sample ${s}`, label, payloadBytes, inputs, ...(target ? { target } : {}) });
  }
  return { ...labelling(labels !== undefined, targets !== undefined), count, samples };
}

function convert(array: NpyArray, type: ElementType, where: string): InputTensor['data'] {
  if (array.type === type) return array.data as InputTensor['data'];
  const values = Array.from(array.data as ArrayLike<number | bigint>, (v) =>
    array.type === 'float16' ? fromFloat16Bits(Number(v)) : Number(v),
  );
  if (type === 'float16') return Uint16Array.from(values, toFloat16Bits);
  return typed(values, type, where);
}
