/**
 * Child process: describes an uploaded model file and proves onnxruntime can load it. It runs apart from the api so
 * that a hostile or broken model (native crash, runaway memory, hang) takes down only this process.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { childMain } from '../child-process';
import { TierwiseError } from '../../common/errors';
import { describeModel } from '../../onnx/describe';
import { externalReferences } from '../../models/external-data';
import type { ModelInspection } from '../../models/model.views';

/**
 * `externalDataDir`: the folder the model's external data files sit in (its bundle); the model is then opened by
 * path so that onnxruntime reads them from beside it.
 */
async function inspect({ path, externalDataDir }: { path: string; externalDataDir?: string }): Promise<ModelInspection> {
  const bytes = await readFile(path);
  const description = describeModel(bytes);
  if (description.externalData && !externalDataDir) {
    throw new TierwiseError(
      'MODEL_EXTERNAL_DATA',
      'the model keeps its weights in external data files: upload an archive (.zip or .tar.gz) holding the .onnx and its data files, or send each data file as a further multipart part named `data` whose filename is the location the model names',
      { references: externalReferences(bytes) },
    );
  }
  try {
    const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'basic', intraOpNumThreads: 1, interOpNumThreads: 1 };
    // With external data, onnxruntime opens the model by path and reads the data files from beside it.
    const session = description.externalData
      ? await ort.InferenceSession.create(path, options)
      : await ort.InferenceSession.create(bytes, options);
    await session.release();
  } catch (error) {
    if (/Failed to allocate|bad_alloc|out of memory/i.test((error as Error).message)) {
      throw new TierwiseError('MODEL_TOO_BIG_TO_LOAD', `loading the model needs more memory than it may use: ${(error as Error).message}`);
    }
    throw new TierwiseError('MODEL_UNLOADABLE', `onnxruntime cannot load the model: ${(error as Error).message}`);
  }
  const { irVersion, opset, producer, inputs, outputs, paramCount, opHistogram } = description;
  return { irVersion, opset, producer, inputs, outputs, paramCount, opHistogram };
}

childMain(inspect);
