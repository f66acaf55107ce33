import { Inject, Injectable } from '@nestjs/common';
import { open } from 'node:fs/promises';
import { TierwiseError, isTierwiseError } from '../common/errors';
import { childEntry } from '../isolation/entries';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { runChild } from '../isolation/child-process';
import { childSlots } from '../isolation/child-slots';
import type { ModelInspection } from './model.views';
import { looksLikeOnnx } from './onnx-sniff';

/** Checks an uploaded file: a cheap sniff here, then decoding and an onnxruntime load in a child process. */
@Injectable()
export class ModelInspector {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    childSlots.setLimit(config.CHILD_CONCURRENCY);
  }

  async inspect(path: string, sizeBytes: number, externalDataDir?: string): Promise<ModelInspection> {
    if (sizeBytes === 0) throw new TierwiseError('MODEL_EMPTY', 'the uploaded file is empty');
    if (!looksLikeOnnx(await readHead(path))) {
      throw new TierwiseError('MODEL_NOT_ONNX', 'the file is not an ONNX model (it does not start like a serialised ModelProto)');
    }
    try {
      // At most CHILD_CONCURRENCY children at once, so their memory limits add up to a bounded share of the machine.
      return await childSlots.run(() =>
        runChild<ModelInspection>({
          entry: childEntry('inspect'),
          input: { path, externalDataDir },
          timeoutMs: this.config.MODEL_LOAD_TIMEOUT_MS,
          envelope: { memoryMB: this.config.MODEL_LOAD_MEMORY_MB },
          label: 'model inspection',
        }),
      );
    } catch (error) {
      if (isTierwiseError(error) && error.code === 'RUNNER_OOM') {
        throw new TierwiseError(
          'MODEL_TOO_BIG_TO_LOAD',
          `loading the model needs more than the ${this.config.MODEL_LOAD_MEMORY_MB} MiB a model load may use (MODEL_LOAD_MEMORY_MB)`,
        );
      }
      if (isTierwiseError(error) && !error.code.startsWith('RUNNER_')) throw error;
      const reason = isTierwiseError(error) ? `${error.code}: ${error.message}` : String(error);
      throw new TierwiseError('MODEL_UNLOADABLE', `onnxruntime could not load the model (${reason})`);
    }
  }
}

export async function readHead(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
