import type { InputTensor } from '../../onnx/io-spec';
import { openSession, toFeeds } from '../../onnx/runtime';

/** Median single-run latency (ms) in this process, after warm-up; for comparing candidates, not for reporting tiers. */
export async function medianLatencyMs(
  modelBytes: Uint8Array,
  inputs: Record<string, InputTensor>,
  runs = 30,
  threads = 1,
): Promise<number> {
  const session = await openSession(modelBytes, { threads });
  try {
    const feeds = toFeeds(inputs);
    for (let i = 0; i < Math.max(3, runs / 5); i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    await session.release();
  }
}
