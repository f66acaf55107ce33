/**
 * Child process: describes an uploaded model file and proves onnxruntime can load it. It runs apart from the api so
 * that a hostile or broken model (native crash, runaway memory, hang) takes down only this process.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { childMain } from '../benchmark/child-process';
import { TierwiseError } from '../common/errors';
import { describeModel } from '../onnx/describe';
import type { ModelInspection } from './model.views';

async function inspect({ path }: { path: string }): Promise<ModelInspection> {
  const bytes = await readFile(path);
  const description = describeModel(bytes);
  if (description.externalData) {
    throw new TierwiseError('MODEL_EXTERNAL_DATA', 'the model refers to external data files; upload a self-contained model with its tensors embedded', 400);
  }
  try {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic', intraOpNumThreads: 1, interOpNumThreads: 1 });
    await session.release();
  } catch (error) {
    throw new TierwiseError('MODEL_UNLOADABLE', `onnxruntime cannot load the model: ${(error as Error).message}`, 422);
  }
  const { irVersion, opset, producer, inputs, outputs, paramCount, opHistogram } = description;
  return { irVersion, opset, producer, inputs, outputs, paramCount, opHistogram };
}

childMain(inspect);
