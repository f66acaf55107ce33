import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoRoot } from '../../src/common/paths';
import { seededRandom } from '../../src/benchmark/stats';
import { writeLongModel } from '../envelopes/long-model';

/**
 * Checks onnxruntime-node's CUDA execution provider where a GPU is present: the provider's libraries are installed,
 * a session on `cuda` opens, and its outputs match the CPU provider's on the same input; prints a small table of
 * p50s and writes bench/results/gpu-cuda.json. Where there is no GPU (or no CUDA build of the provider) it says it
 * skipped and why, and exits 0 — so it can run on any machine. Run: `node dist/bench/gpu/main.js`.
 */
const RUNS = 20;
const result: Record<string, unknown> = {
  measuredAt: new Date().toISOString(),
  platform: `${platform()}/${arch()}`,
  ortVersion: ort.env.versions.node,
};

function skip(reason: string): never {
  result.status = 'skipped';
  result.reason = reason;
  write();
  process.stdout.write(`gpu check skipped: ${reason}\n`);
  process.exit(0);
}

function write(): void {
  const path = join(repoRoot(), 'bench/results/gpu-cuda.json');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

function providerDir(): string {
  return join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin/napi-v6', platform(), arch());
}

async function timeRuns(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
): Promise<{ p50Ms: number; output: ArrayLike<number> }> {
  let output: ArrayLike<number> = [];
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const out = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    output = out[session.outputNames[0]].data as Float32Array;
  }
  times.sort((a, b) => a - b);
  return { p50Ms: times[Math.floor(times.length / 2)], output };
}

async function main(): Promise<void> {
  if (platform() !== 'linux' || arch() !== 'x64')
    skip(`onnxruntime-node ships CUDA binaries for Linux x64 only; this is ${platform()}/${arch()}`);
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']);
  if (smi.error || smi.status !== 0) skip('no NVIDIA GPU here (nvidia-smi is missing or found no device)');
  result.gpu = smi.stdout.toString().trim();
  const cudaLib = join(providerDir(), 'libonnxruntime_providers_cuda.so');
  if (!existsSync(cudaLib))
    skip(
      `a GPU is present (${String(result.gpu)}) but onnxruntime-node was installed without its CUDA provider (${cudaLib} is missing): ` +
        'reinstall it with ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node (see workers/README.md)',
    );
  const modelPath = writeLongModel(join(tmpdir(), 'tierwise-bench-gpu', 'long-model.onnx'), 8, 256);
  const random = seededRandom(7);
  const input = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 256 * 1024 }, () => random() * 2 - 1),
    [256, 1024],
  );
  const cpu = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  let cuda: ort.InferenceSession;
  try {
    cuda = await ort.InferenceSession.create(modelPath, { executionProviders: [{ name: 'cuda', deviceId: 0 }] });
  } catch (error) {
    result.status = 'failed';
    result.reason = `the CUDA provider did not open a session: ${(error as Error).message} (CUDA 12 and cuDNN 9 libraries must be on the loader path)`;
    write();
    process.stdout.write(`gpu check FAILED: ${String(result.reason)}\n`);
    process.exit(1);
  }
  const feeds = { [cpu.inputNames[0]]: input };
  const onCpu = await timeRuns(cpu, feeds);
  const onCuda = await timeRuns(cuda, feeds);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < onCpu.output.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(onCpu.output[i] - onCuda.output[i]));
    maxRef = Math.max(maxRef, Math.abs(onCpu.output[i]));
  }
  const relative = maxRef > 0 ? maxAbs / maxRef : maxAbs;
  // TF32 matmuls on recent GPUs differ from the CPU in the 3rd-4th significant digit; more than 1 % is a wrong result.
  result.status = relative <= 0.01 ? 'ok' : 'mismatch';
  result.rows = [
    { provider: 'cpu', p50Ms: onCpu.p50Ms },
    { provider: 'cuda', p50Ms: onCuda.p50Ms },
  ];
  result.maxAbsDiff = maxAbs;
  result.maxRelativeDiff = relative;
  write();
  process.stdout.write(`gpu: ${String(result.gpu)}\nprovider  p50 ms (${RUNS} runs, 8×MatMul 256×1024)\n`);
  process.stdout.write(`cpu       ${onCpu.p50Ms.toFixed(3)}\ncuda      ${onCuda.p50Ms.toFixed(3)}\n`);
  process.stdout.write(
    `outputs: max |cpu - cuda| = ${maxAbs.toExponential(2)} (${(relative * 100).toFixed(4)} % of max |cpu|): ${String(result.status)}\n`,
  );
  if (result.status !== 'ok') process.exit(1);
}

void main();
