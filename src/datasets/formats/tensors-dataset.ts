import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TierwiseError } from '../../common/errors';
import type { ElementType, TensorSpec } from '../../onnx/io-spec';
import type { DatasetSample, InputTensor } from './types';

const LABEL_KEYS = ['labels', 'label'];

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message, 422);
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
    case 'int64': integral(); return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32': integral(); return Int32Array.from(values);
    case 'uint8': case 'bool': integral(); return Uint8Array.from(values);
    case 'int8': integral(); return Int8Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'float32': return Float32Array.from(values);
    default: throw invalid(`${where}: element type ${type} is not supported in tensor datasets`);
  }
}

export interface TensorRecords {
  labelled: boolean;
  count: number;
  samples: DatasetSample[];
}

/**
 * `{"<input>": [sample, ...], ..., "labels": [...]}`: each input holds one nested array per sample. Element types
 * come from the model's inputs when known (float32 otherwise). Payload = the raw tensor bytes, which is what
 * a client of a tensor model would send.
 */
export function readTensorDataset(file: string, modelInputs?: TensorSpec[], limit?: number): TensorRecords {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(`${basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(`${basename(file)} must be an object of input name -> samples`);
  const root = json as Record<string, unknown>;
  const labelKey = LABEL_KEYS.find((key) => root[key] !== undefined);
  const inputNames = Object.keys(root).filter((key) => !LABEL_KEYS.includes(key));
  if (inputNames.length === 0) throw invalid(`${basename(file)} has no input arrays`);
  const columns = inputNames.map((name) => {
    const column = root[name];
    if (!Array.isArray(column)) throw invalid(`input ${name} must be an array with one entry per sample`);
    return column;
  });
  const count = columns[0].length;
  columns.forEach((column, i) => { if (column.length !== count) throw invalid(`input ${inputNames[i]} has ${column.length} samples, ${inputNames[0]} has ${count}`); });
  const labels = labelKey ? root[labelKey] : undefined;
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== count)) throw invalid(`"${labelKey}" must be an array of ${count} class indices`);
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
      const type = modelInputs?.find((spec) => spec.name === name)?.elemType ?? 'float32';
      const data = typed(values, type, where);
      payloadBytes += data.byteLength;
      inputs[name] = { type, dims: [1, ...shapes[i]], data };
    });
    const label = labels ? (labels as unknown[])[s] : undefined;
    if (labels && !(Number.isInteger(label) && (label as number) >= 0)) throw invalid(`labels[${s}] = ${JSON.stringify(label)} is not a class index`);
    samples.push({ id: `sample ${s}`, label: label as number | undefined, payloadBytes, inputs });
  }
  return { labelled: labels !== undefined, count, samples };
}
