import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import * as tar from 'tar';
import { TierwiseError } from '../../common/errors';
import { CliError } from '../cli-errors';
import type { Dataset, Model, TierwiseClient } from './api-client';

import { WHITE_BOX_OPERATORS, isWhiteBoxOperator } from '../../models/white-box';

export { WHITE_BOX_OPERATORS } from '../../models/white-box';

export interface VariantFile {
  operator: string;
  path: string;
}

/** `distilled=student.onnx` → {operator, path}. */
export function parseVariant(spec: string): VariantFile {
  const eq = spec.indexOf('=');
  const operator = eq < 0 ? '' : spec.slice(0, eq);
  const path = eq < 0 ? '' : spec.slice(eq + 1);
  if (!isWhiteBoxOperator(operator) || !path) {
    throw new CliError('VARIANT_INVALID', `--variant ${spec}: expected <${WHITE_BOX_OPERATORS.join('|')}>=<file.onnx>`);
  }
  return { operator, path };
}

function requireFile(path: string, what: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new CliError('FILE_NOT_FOUND', `${what} ${path}: no such file`);
  }
  if (!isFile) throw new CliError('FILE_NOT_FOUND', `${what} ${path}: not a file`);
}

export async function uploadModel(
  client: TierwiseClient,
  path: string,
  variants: VariantFile[],
  task: { task?: string; postprocess?: string } = {},
): Promise<Model> {
  requireFile(path, 'model');
  for (const variant of variants) requireFile(variant.path, `--variant ${variant.operator}`);
  const name = basename(path, extname(path));
  const model = await client.uploadModel({ name, ...task }, { path });
  for (const variant of variants) {
    await client.uploadVariant(model.id, { operator: variant.operator }, { path: variant.path });
  }
  return model;
}

/**
 * Uploads an evaluation set: an archive, .jsonl or .json as it is, or a folder (an ImageFolder split, say)
 * packed into a .tar.gz first, since the api takes one file.
 */
export async function uploadDataset(client: TierwiseClient, path: string, preprocessPath?: string): Promise<Dataset> {
  let preprocess: string | undefined;
  if (preprocessPath) {
    requireFile(preprocessPath, '--preprocess');
    preprocess = readFileSync(preprocessPath, 'utf8');
    try {
      JSON.parse(preprocess);
    } catch (error) {
      throw new TierwiseError('PREPROCESS_INVALID', `--preprocess ${preprocessPath}: not JSON (${(error as Error).message})`);
    }
  }
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new CliError('FILE_NOT_FOUND', `--dataset ${path}: no such file or folder`);
  }
  const name = basename(resolve(path)).replace(/\.(tar\.gz|tgz|zip|jsonl|json)$/i, '');
  if (!stats.isDirectory()) return client.uploadDataset({ preprocess, name }, { path });
  const scratch = mkdtempSync(join(tmpdir(), 'tierwise-dataset-'));
  try {
    const archive = join(scratch, `${name}.tar.gz`);
    const absolute = resolve(path);
    tar.c({ sync: true, gzip: true, cwd: dirname(absolute), file: archive, portable: true }, [basename(absolute)]);
    return await client.uploadDataset({ preprocess, name }, { path: archive });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
