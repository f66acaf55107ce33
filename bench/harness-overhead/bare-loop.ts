/** The baseline: a bare onnxruntime-node loop, nothing else. argv: model warmup runs intraThreads. Prints raw ms as JSON. */
import * as ort from 'onnxruntime-node';
import { syntheticInputs } from '../../src/benchmark/inputs';

async function main(): Promise<void> {
  const [model, warmup, runs, threads] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model!, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    executionProviders: ['cpu'],
  });
  // The same deterministic inputs the runner builds, so only the harness differs.
  const declared = session.inputMetadata.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: 'unknown', shape: [] },
  );
  const feeds = Object.fromEntries(
    Object.entries(syntheticInputs(declared).inputs).map(([name, t]) => [name, new ort.Tensor(t.type as ort.Tensor.Type, t.data, t.dims)]),
  );
  for (let i = 0; i < Number(warmup) + 1; i++) await session.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < Number(runs); i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  process.stdout.write(`${JSON.stringify(ms)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
