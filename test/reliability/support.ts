import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Api } from '../support/harness';

/** Makes the api listen on a loopback port (raw sockets need one) and returns it. */
export async function listen(api: Api): Promise<number> {
  await api.app.listen(0, '127.0.0.1');
  return (api.app.getHttpServer().address() as AddressInfo).port;
}

/**
 * Sends `head` + `body` on a raw socket. With `hangUp`, closes the socket right after writing (an aborted
 * upload); otherwise waits for the answer and returns its status line (or '' when the connection died).
 */
export function rawRequest(
  port: number,
  head: string,
  body: Buffer,
  options: { hangUp?: boolean; timeoutMs?: number } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      done();
    }, options.timeoutMs ?? 10_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.write(head);
    socket.write(body, () => {
      if (options.hangUp) setTimeout(() => socket.destroy(), 50);
    });
  });
}

export function multipartHead(path: string, key: string, contentLength: number, boundary: string, extra = ''): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${contentLength}\r\nConnection: close\r\n${extra}\r\n`
  );
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
