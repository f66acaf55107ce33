import { connect, createServer, type Socket } from 'node:net';

/**
 * The two ends of a netcheck measurement, each run inside its namespace (`ip netns exec NS node peer.js …`).
 *
 *   peer serve <host> <port>          answers each request (8-byte length + payload) with one byte, on any
 *                                     number of requests per connection; prints "listening".
 *   peer measure <host> <port> <json> runs the plan (see MeasurePlan) and prints one JSON line of results.
 *
 * A sample is the time from the first byte the client hands to its socket (or, per request, from the connect
 * call: the handshake is part of the cost) until the server's one-byte answer has arrived.
 */
export interface MeasurePlan {
  bytes: number[];
  connection: 'per-request' | 'kept-alive';
  repeats: number;
  /** Kept-alive: the idle gap before each measured request (a warm-up request of the same size goes first). */
  idleGapMs: number;
}

function serve(host: string, port: number): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let expected = -1;
    let received = 0;
    let header = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      while (rest.length > 0) {
        if (expected < 0) {
          header = Buffer.concat([header, rest]);
          if (header.length < 8) return;
          expected = Number(header.readBigUInt64BE(0));
          rest = header.subarray(8);
          header = Buffer.alloc(0);
          received = 0;
        }
        const take = Math.min(rest.length, expected - received);
        received += take;
        rest = rest.subarray(take);
        if (received >= expected) {
          socket.write(Buffer.from([1]));
          expected = -1;
        }
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(port, host, () => process.stdout.write('listening\n'));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one request on `socket` and resolves when the one-byte answer arrives. */
function exchange(socket: Socket, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('error', reject);
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(payload.length));
    socket.write(Buffer.concat([header, payload]));
  });
}

async function measure(host: string, port: number, plan: MeasurePlan): Promise<void> {
  const rows: Array<{ bytes: number; samplesMs: number[] }> = [];
  for (const bytes of plan.bytes) {
    const payload = Buffer.alloc(bytes, 7);
    const samplesMs: number[] = [];
    if (plan.connection === 'per-request') {
      for (let i = 0; i < plan.repeats; i++) {
        const t0 = nowMs();
        const socket = await open(host, port);
        await exchange(socket, payload);
        samplesMs.push(nowMs() - t0);
        socket.destroy();
        await sleep(50);
      }
    } else {
      const socket = await open(host, port);
      await exchange(socket, payload);
      for (let i = 0; i < plan.repeats; i++) {
        await sleep(plan.idleGapMs);
        const t0 = nowMs();
        await exchange(socket, payload);
        samplesMs.push(nowMs() - t0);
      }
      socket.destroy();
    }
    rows.push({ bytes, samplesMs });
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

if (require.main === module) {
  const [mode, host, port, plan] = process.argv.slice(2);
  if (mode === 'serve') {
    serve(host!, Number(port));
    // The lab holds our stdin: when it closes (the lab closed or died), so do we.
    process.stdin
      .on('end', () => process.exit(0))
      .on('error', () => process.exit(0))
      .resume();
  } else if (mode === 'measure') {
    measure(host!, Number(port), JSON.parse(plan!) as MeasurePlan).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  } else {
    process.stderr.write('usage: peer serve <host> <port> | peer measure <host> <port> <plan json>\n');
    process.exit(1);
  }
}
