import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../common/paths';
import { loadDataset, parsePreprocess, type LoadedDataset } from '../../datasets/formats';
import { describeModel } from '../../onnx/describe';

export type FixtureFamily = 'fashion-resnet' | 'sentiment-bert';

export function fixtureModelPath(family: FixtureFamily, variant: 'identity' | 'distilled' | 'qat' | 'pruned'): string {
  return join(repoRoot(), 'test/fixtures', family, 'models', `${family}-${variant}.onnx`);
}

/** A fixture split (`calib-200`, `eval-100`, `test-100.jsonl`, …) loaded with the family's preprocess.json. */
export async function loadFixtureSplit(family: FixtureFamily, split: string, limit?: number): Promise<LoadedDataset> {
  const dir = join(repoRoot(), 'test/fixtures', family);
  const preprocess = parsePreprocess(JSON.parse(readFileSync(join(dir, 'preprocess.json'), 'utf8')), dir);
  const modelInputs = describeModel(readFileSync(fixtureModelPath(family, 'identity'))).inputs;
  const pretokenized = split.endsWith('.tokens.json');
  return loadDataset(join(dir, split), { preprocess: pretokenized ? undefined : preprocess, modelInputs, limit });
}
