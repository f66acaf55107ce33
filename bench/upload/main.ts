/**
 * Large uploads: the api's resident memory while a big model uploads. The api runs as a child (as `tierwise serve`
 * runs it); this process writes single-file ONNX models of the given sizes (one MatMul whose float weight fills the
 * file), uploads each with a streaming multipart body (`fs.openAsBlob`: the file is never read into memory here)
 * and samples the api's VmRSS from /proc every 10 ms, from before the request until its 201. The upload's model
 * inspection runs in its own child process (src/isolation), so its memory is not the api's and is not counted.
 * Target (issue 15): a 1 GB model uploads with the api's RSS growing ≤ 64 MB.
 *
 *   npm run build && DATABASE_URL=... node dist/bench/upload/main.js [--sizes-mb 200,1024] [--rounds 2]
 *     → bench/results/upload.json
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, openAsBlob, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { repoRoot } from '../../src/common/paths';
import { onnx } from '../../src/onnx/model-io';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const TARGET_GROWTH_MB = 64;

interface Served {
  port: number;
  key: string;
}

/** Child mode: the api alone, with a key, serving until killed. */
async function serve(): Promise<void> {
  const { createApi } = await import('../../src/api/create-api');
  const { TeamsService } = await import('../../src/auth/teams.service');
  const app = await createApi();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const { key } = await app.get(TeamsService).issueKey(`upload-bench-${Date.now().toString(36)}`, 'bench');
  process.send!({ port, key } satisfies Served);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

const varint = (n: number): Buffer => {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
};
/** A length-delimited protobuf field's tag and length. */
const field = (num: number, length: number): Buffer => Buffer.concat([varint((num << 3) | 2), varint(length)]);

/**
 * Y = X · W with W float32 [rows, 1024] of about `mb` MiB, written as one .onnx file without holding W in memory:
 * the small messages are encoded by protobufjs, W's raw_data is streamed after its tag (protobuf does not care
 * about field order).
 */
async function writeModel(path: string, mb: number): Promise<number> {
  const cols = 1024;
  const rows = Math.floor((mb * 1024 * 1024) / (4 * cols));
  const dataBytes = rows * cols * 4;
  const F = onnx.TensorProto.DataType.FLOAT;
  const vi = (name: string, dims: number[]) => ({
    name,
    type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const tensorHead = Buffer.from(onnx.TensorProto.encode({ name: 'W', dims: [rows, cols], dataType: F }).finish());
  const tensorLength = tensorHead.length + field(9, dataBytes).length + dataBytes;
  const graphHead = Buffer.from(
    onnx.GraphProto.encode({
      name: 'big-matmul',
      node: [{ opType: 'MatMul', input: ['X', 'W'], output: ['Y'], name: 'matmul' }],
      input: [vi('X', [1, rows])],
      output: [vi('Y', [1, cols])],
    }).finish(),
  );
  const graphLength = graphHead.length + field(5, tensorLength).length + tensorLength;
  const modelHead = Buffer.from(
    onnx.ModelProto.encode({ irVersion: 8, producerName: 'tierwise-bench', opsetImport: [{ domain: '', version: 17 }] }).finish(),
  );
  const file = await open(path, 'w');
  try {
    await file.write(Buffer.concat([modelHead, field(7, graphLength), graphHead, field(5, tensorLength), tensorHead, field(9, dataBytes)]));
    const chunk = Buffer.alloc(4 << 20);
    const floats = new Float32Array(chunk.buffer, chunk.byteOffset, chunk.length / 4);
    for (let i = 0; i < floats.length; i++) floats[i] = ((i % 251) - 125) / 1000;
    for (let written = 0; written < dataBytes; written += chunk.length)
      await file.write(chunk, 0, Math.min(chunk.length, dataBytes - written));
  } finally {
    await file.close();
  }
  return statSync(path).size;
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

interface Sample {
  sizeMb: number;
  bytes: number;
  round: number;
  status: number;
  seconds: number;
  mbPerSecond: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  growthMb: number;
  sha256Matches: boolean;
}

async function main(): Promise<void> {
  const sizes = arg('--sizes-mb', '200,1024').split(',').map(Number);
  const rounds = Number(arg('--rounds', '2'));
  const work = mkdtempSync(join(tmpdir(), 'tierwise-upload-bench-'));
  const child: ChildProcess = spawn(process.execPath, [__filename, '--serve'], {
    env: {
      ...process.env,
      BLOB_DIR: join(work, 'blobs'),
      RATE_LIMIT_REQUESTS: '100000000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'log',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const samples: Sample[] = [];
  try {
    const served = await new Promise<Served>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Served));
      child.once('exit', (code) => reject(new Error(`api exited with ${code}`)));
    });
    const pid = child.pid!;
    for (const mb of sizes) {
      const path = join(work, `big-${mb}.onnx`);
      const bytes = await writeModel(path, mb);
      const digest = await sha256(path);
      for (let round = 0; round < rounds; round++) {
        await new Promise((r) => setTimeout(r, 1000));
        const before = rssKb(pid);
        let peak = before;
        const timer = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 10);
        const form = new FormData();
        form.set('name', `big-${mb}-${round}`);
        form.set('file', await openAsBlob(path), `big-${mb}.onnx`);
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${served.port}/v1/models`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${served.key}` },
          body: form,
        });
        const body = (await res.json()) as { id?: string; sha256?: string; error?: unknown };
        const seconds = (performance.now() - t0) / 1000;
        clearInterval(timer);
        peak = Math.max(peak, rssKb(pid));
        const after = rssKb(pid);
        const sample: Sample = {
          sizeMb: mb,
          bytes,
          round,
          status: res.status,
          seconds: Number(seconds.toFixed(2)),
          mbPerSecond: Number((bytes / 2 ** 20 / seconds).toFixed(0)),
          rssBeforeMb: Number((before / 1024).toFixed(1)),
          rssPeakMb: Number((peak / 1024).toFixed(1)),
          rssAfterMb: Number((after / 1024).toFixed(1)),
          growthMb: Number(((peak - before) / 1024).toFixed(1)),
          sha256Matches: body.sha256 === digest,
        };
        if (res.status !== 201) process.stderr.write(`upload ${mb} MB: ${res.status} ${JSON.stringify(body)}\n`);
        samples.push(sample);
        process.stderr.write(`${JSON.stringify(sample)}\n`);
      }
      rmSync(path);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\nsize      status  seconds  MB/s  api RSS before  peak    after   growth (peak − before)');
  for (const s of samples)
    console.log(
      `${`${s.sizeMb} MB`.padEnd(9)} ${String(s.status).padEnd(7)} ${String(s.seconds).padStart(7)} ${String(s.mbPerSecond).padStart(5)}  ${`${s.rssBeforeMb} MB`.padStart(14)} ${`${s.rssPeakMb} MB`.padStart(8)} ${`${s.rssAfterMb} MB`.padStart(8)}  ${s.growthMb} MB${s.sha256Matches ? '' : '  (sha256 differs!)'}`,
    );
  const big = samples.filter((s) => s.sizeMb >= 1000);
  const met = big.length > 0 && big.every((s) => s.status === 201 && s.sha256Matches && s.growthMb <= TARGET_GROWTH_MB);
  console.log(`\n1 GB upload, api RSS growth ≤ ${TARGET_GROWTH_MB} MB: ${big.length === 0 ? 'not run' : met ? 'MET' : 'MISSED'}`);
  const out = {
    command: `npm run build && DATABASE_URL=... node dist/bench/upload/main.js --sizes-mb ${sizes.join(',')} --rounds ${rounds}`,
    measuredAt: new Date().toISOString(),
    host: `${cpus()[0]?.model} × ${cpus().length}`,
    loadAverage1m: loadavg()[0],
    targetGrowthMb: TARGET_GROWTH_MB,
    met,
    samples,
  };
  mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot(), 'bench/results/upload.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results/upload.json');
}

if (process.argv.includes('--serve')) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
