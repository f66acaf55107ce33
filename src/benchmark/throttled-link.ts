import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Link } from './network';

/**
 * A throttled loopback link to check the link model with real bytes: the sender paces the payload with a
 * token bucket (rate = mbps, burst = one chunk of 16 KiB or 2 ms of sending) after a one-way delay of rtt/2, the receiver answers one
 * byte after another rtt/2. Chunk due times are absolute, so timer lateness does not accumulate.
 */
const CHUNK = 16 * 1024;

/** Calls `fn` after `ms`: a timer to within ~1.5 ms, then a spin, because Node timers fire up to ~1 ms late. */
function after(ms: number, fn: () => void): void {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(Math.max(0, ms) * 1e6));
  const finish = (): void => {
    while (process.hrtime.bigint() < deadline) { /* spin out the last stretch */ }
    fn();
  };
  if (ms > 2) setTimeout(finish, ms - 1.5);
  else finish();
}

const sleep = (ms: number) => new Promise<void>((resolve) => after(ms, resolve));

function receiver(rttMs: number): Promise<Server> {
  const server = createServer((socket: Socket) => {
    let expected = -1;
    let received = 0;
    let header = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (expected < 0) {
        header = Buffer.concat([header, chunk]);
        if (header.length < 8) return;
        expected = Number(header.readBigUInt64BE(0));
        received = header.length - 8;
      } else received += chunk.length;
      if (received >= expected) after(rttMs / 2, () => socket.end(Buffer.from([1])));
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Milliseconds from the first byte sent to the receiver's answer, for `payload` over `link`. */
export async function measureThrottledTransfer(payload: Uint8Array, link: Pick<Link, 'mbps' | 'rttMs'>): Promise<number> {
  if (!(link.mbps > 0)) throw new RangeError(`link bandwidth must be > 0 Mbps, got ${link.mbps}`);
  const server = await receiver(link.rttMs);
  try {
    const { port } = server.address() as AddressInfo;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s)).on('error', reject);
    });
    socket.setNoDelay(true);
    const answered = new Promise<void>((resolve, reject) => { socket.once('data', () => resolve()); socket.once('error', reject); });
    const bytesPerMs = (link.mbps * 1e6) / 8 / 1000;
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(payload.length));
    const t0 = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
    await sleep(link.rttMs / 2);
    socket.write(header);
    const start = elapsed();
    // At high rates a chunk per timer tick could not keep up; chunks grow so each covers >= 2 ms of sending.
    const chunk = Math.max(CHUNK, Math.ceil(bytesPerMs * 2));
    for (let sent = 0; sent < payload.length;) {
      const n = Math.min(chunk, payload.length - sent);
      await sleep(start + (sent + n) / bytesPerMs - elapsed());
      socket.write(payload.subarray(sent, sent + n));
      sent += n;
    }
    await answered;
    const ms = elapsed();
    socket.destroy();
    return ms;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
