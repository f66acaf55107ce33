import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { decodeRequest, type RequestDecoding } from '../benchmark/request-decode';
import { openSession, toFeeds } from '../onnx/runtime';

/**
 * The two ends of a `verify` run (src/netlab/verify.ts), each inside its namespace:
 *
 *   verify-peer serve <host> <port> <config json file>   loads the variant with onnxruntime and answers
 *       POST /infer: decodes the body as the study's client encodes it (an encoded image, decoded and
 *       preprocessed as the dataset is; or the raw input tensors back to back), runs the model, and replies
 *       with the output tensors' bytes. Prints "listening".
 *   verify-peer measure <host> <port> <plan json file>   sends a warm-up request, then each body after the idle
 *       gap on one kept-alive HTTP/1.1 connection (or a new connection each); prints one JSON line of samples.
 *
 * A sample runs from the client handing the request to its socket until the whole response has arrived; the server
 * also reports, per request, how long decoding the body and running the model took (x-decode-ms, x-run-ms).
 */
export interface VerifyServerConfig {
  modelPath: string;
  threads: number;
  decoding: RequestDecoding;
}

export interface VerifyClientPlan {
  /** Files holding the request bodies, sent in turn. */
  bodies: string[];
  repeats: number;
  connection: 'kept-alive' | 'per-request';
  idleGapMs: number;
}

async function serve(host: string, port: number, config: VerifyServerConfig): Promise<void> {
  const session = await openSession(config.modelPath, { threads: config.threads });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const t0 = nowMs();
      let t1 = t0;
      decodeRequest(Buffer.concat(chunks), config.decoding)
        .then((inputs) => {
          t1 = nowMs();
          return session.run(toFeeds(inputs));
        })
        .then((outputs) => {
          const t2 = nowMs();
          const parts = Object.values(outputs).map((t) => {
            const data = t.data as ArrayBufferView;
            return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
          });
          const body = Buffer.concat(parts);
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': body.length,
            'x-decode-ms': (t1 - t0).toFixed(3),
            'x-run-ms': (t2 - t1).toFixed(3),
          });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, host, () => process.stdout.write('listening\n'));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Answer {
  bytes: number;
  decodeMs: number;
  runMs: number;
}

function post(host: string, port: number, agent: Agent, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: '/infer',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`server answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
          else
            resolve({
              bytes: Buffer.concat(chunks).length,
              decodeMs: Number(res.headers['x-decode-ms']),
              runMs: Number(res.headers['x-run-ms']),
            });
        });
      },
    );
    req.setNoDelay(true);
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(host: string, port: number, plan: VerifyClientPlan): Promise<void> {
  const bodies = plan.bodies.map((file) => readFileSync(file));
  const keptAlive = plan.connection === 'kept-alive';
  const shared = new Agent({ keepAlive: true, maxSockets: 1 });
  const agentFor = () => (keptAlive ? shared : new Agent({ keepAlive: false }));
  await post(host, port, agentFor(), bodies[0]!);
  const samplesMs: number[] = [];
  const decodeMs: number[] = [];
  const runMs: number[] = [];
  let responseBytes = 0;
  for (let i = 0; i < plan.repeats; i++) {
    await sleep(plan.idleGapMs);
    const body = bodies[i % bodies.length]!;
    const t0 = nowMs();
    const answer = await post(host, port, agentFor(), body);
    samplesMs.push(nowMs() - t0);
    responseBytes = answer.bytes;
    decodeMs.push(answer.decodeMs);
    runMs.push(answer.runMs);
  }
  shared.destroy();
  process.stdout.write(`${JSON.stringify({ samplesMs, decodeMs, runMs, responseBytes, requestBytes: bodies.map((b) => b.length) })}\n`);
}

if (require.main === module) {
  const [mode, host, port, file] = process.argv.slice(2);
  const config = JSON.parse(readFileSync(file!, 'utf8')) as unknown;
  const fail = (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
  if (mode === 'serve') {
    serve(host!, Number(port), config as VerifyServerConfig).catch(fail);
    process.stdin
      .on('end', () => process.exit(0))
      .on('error', () => process.exit(0))
      .resume();
  } else if (mode === 'measure') {
    measure(host!, Number(port), config as VerifyClientPlan).then(() => process.exit(0), fail);
  } else fail(new Error('usage: verify-peer serve|measure <host> <port> <json file>'));
}
