import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Link } from './network';

/**
 * A throttled loopback link to check the link model with real bytes: the sender paces the payload with a
 * token bucket (rate = mbps, burst = one 16 KiB chunk) after a one-way delay of rtt/2, the receiver answers one
 * byte after another rtt/2. Chunk due times are absolute, so timer lateness does not accumulate.
 */
const CHUNK = 16 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

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
      if (received >= expected) setTimeout(() => socket.end(Buffer.from([1])), rttMs / 2);
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
    for (let sent = 0; sent < payload.length;) {
      const n = Math.min(CHUNK, payload.length - sent);
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
