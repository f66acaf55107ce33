import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TierwiseError } from '../../common/errors';
import type { TensorSpec } from '../../onnx/io-spec';
import { HuggingFaceTokenizer } from './hf-tokenizer';
import type { TextInputNames, TextPreprocessSpec, TokenizerSpec } from './preprocess-spec';
import type { DatasetSample } from './types';
import type { InputTensor } from '../../onnx/io-spec';
import { WordPieceTokenizer, type TextTokenizer } from './wordpiece';

export interface TextRecord {
  id: string;
  text: string;
  textPair?: string;
  label?: number;
}

export interface TextFields {
  textField: string;
  textPairField: string;
  labelField: string;
}

function invalid(message: string): TierwiseError {
  return new TierwiseError('DATASET_INVALID', message);
}

function parseLine(line: string, where: string, fields: TextFields): TextRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw invalid(`${where}: not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where}: not a JSON object`);
  const row = value as Record<string, unknown>;
  const text = row[fields.textField];
  const pair = row[fields.textPairField];
  const label = row[fields.labelField];
  if (typeof text !== 'string') throw invalid(`${where}: "${fields.textField}" must be a string`);
  if (pair !== undefined && pair !== null && typeof pair !== 'string')
    throw invalid(`${where}: "${fields.textPairField}" must be a string`);
  if (label !== undefined && label !== null && !(Number.isInteger(label) && (label as number) >= 0)) {
    throw invalid(`${where}: "${fields.labelField}" must be a non-negative integer class index`);
  }
  return { id: where, text, textPair: typeof pair === 'string' ? pair : undefined, label: typeof label === 'number' ? label : undefined };
}

/**
 * The records of a JSONL file. `onError` collects problems per line instead of failing on the first (for
 * inspection); without it the first problem throws DATASET_INVALID.
 */
export function readTextRecords(file: string, fields: TextFields, onError?: (error: TierwiseError) => void): TextRecord[] {
  const records: TextRecord[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        records.push(parseLine(line, `${basename(file)} line ${i + 1}`, fields));
      } catch (error) {
        if (!onError || !(error instanceof TierwiseError)) throw error;
        onError(error);
      }
    });
  const labelled = records.filter((r) => r.label !== undefined).length;
  if (labelled > 0 && labelled < records.length) {
    const missing = records.find((r) => r.label === undefined)!;
    const error = invalid(`${missing.id}: has no "${fields.labelField}" while other lines do; label every line or none`);
    if (!onError) throw error;
    onError(error);
  }
  if (records.length === 0 && !onError) throw invalid(`${basename(file)} holds no samples`);
  return records;
}

/** vocab.txt or tokenizer.json found beside the data, for when no preprocess spec names one. */
export function findTokenizer(dir: string): TokenizerSpec | undefined {
  if (existsSync(join(dir, 'vocab.txt')))
    return { type: 'wordpiece', vocabPath: join(dir, 'vocab.txt'), lowercase: true, stripAccents: true };
  if (existsSync(join(dir, 'tokenizer.json'))) return { type: 'huggingface', path: join(dir, 'tokenizer.json') };
  return undefined;
}

export function createTokenizer(spec: TokenizerSpec): TextTokenizer {
  if (spec.type === 'wordpiece') return WordPieceTokenizer.fromVocabFile(spec.vocabPath, spec);
  return HuggingFaceTokenizer.fromFile(spec.path);
}

/** Role -> input name, restricted to the inputs the model has (when its inputs are known). */
function effectiveInputs(names: TextInputNames, modelInputs?: TensorSpec[]): Array<[keyof TextInputNames, TensorSpec['elemType'], string]> {
  return (Object.entries(names) as Array<[keyof TextInputNames, string]>).flatMap(([role, name]) => {
    if (!modelInputs) return [[role, 'int64', name] as [keyof TextInputNames, TensorSpec['elemType'], string]];
    const spec = modelInputs.find((input) => input.name === name);
    return spec ? [[role, spec.elemType, name] as [keyof TextInputNames, TensorSpec['elemType'], string]] : [];
  });
}

function tensorOf(values: number[], elemType: TensorSpec['elemType']): InputTensor {
  const dims = [1, values.length];
  if (elemType === 'int32') return { type: 'int32', dims, data: Int32Array.from(values) };
  return { type: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

export function encodeTextSamples(records: TextRecord[], spec: TextPreprocessSpec, modelInputs?: TensorSpec[]): DatasetSample[] {
  const tokenizer = createTokenizer(spec.tokenizer);
  const inputs = effectiveInputs(spec.inputs, modelInputs);
  return records.map((record) => {
    const { ids, typeIds } = tokenizer.encode(record.text, record.textPair, spec.truncation ? spec.maxLength : Number.MAX_SAFE_INTEGER);
    if (ids.length > spec.maxLength)
      throw invalid(`${record.id}: ${ids.length} tokens exceed maxLength ${spec.maxLength} with truncation off`);
    const pad = spec.maxLength - ids.length;
    const byRole: Record<keyof TextInputNames, number[]> = {
      input_ids: [...ids, ...Array<number>(pad).fill(tokenizer.padId)],
      attention_mask: [...ids.map(() => 1), ...Array<number>(pad).fill(0)],
      token_type_ids: [...typeIds, ...Array<number>(pad).fill(0)],
    };
    const tensors: Record<string, InputTensor> = {};
    for (const [role, elemType, name] of inputs) tensors[name] = tensorOf(byRole[role], elemType);
    const payloadBytes = Buffer.byteLength(record.text, 'utf8') + (record.textPair ? Buffer.byteLength(record.textPair, 'utf8') : 0);
    return { id: record.id, label: record.label, payloadBytes, inputs: tensors };
  });
}
