import type { DatasetSample } from '../../datasets/formats/types';
import { batchInputs, openSession, toFeeds } from '../../onnx/runtime';

/** Top-1 accuracy in percentage points of a classifier (argmax of its first output) over labelled samples. */
export async function top1Accuracy(modelBytes: Uint8Array, samples: DatasetSample[], batchSize = 50): Promise<number> {
  const session = await openSession(modelBytes, { threads: 1 });
  let correct = 0;
  try {
    for (let start = 0; start < samples.length; start += batchSize) {
      const chunk = samples.slice(start, start + batchSize);
      const result = await session.run(toFeeds(batchInputs(chunk.map((s) => s.inputs))));
      const logits = result[session.outputNames[0]];
      const classes = logits.dims[logits.dims.length - 1];
      const data = logits.data as Float32Array;
      chunk.forEach((sample, i) => {
        let best = 0;
        for (let c = 1; c < classes; c++) if (data[i * classes + c] > data[i * classes + best]) best = c;
        if (best === sample.label) correct++;
      });
    }
  } finally {
    await session.release();
  }
  return (100 * correct) / samples.length;
}
