import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { guardedLookup, postMessage } from './http-delivery';

describe('webhook HTTP delivery', () => {
  let server: Server;
  let base: string;
  const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];
  const handlers: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.writeHead(204).end(),
    '/error': (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('database is down'),
    '/redirect': (res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end(),
    '/slow': () => undefined,
  };

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        handlers[req.url ?? '']?.(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const post = (path: string, options = { timeoutMs: 2000, allowPrivate: true }) =>
    postMessage(`${base}${path}`, { 'webhook-id': 'msg_x' }, '{"type":"webhook.test"}', options);

  test('a 2xx answer is a delivery, with the headers and body sent as given', async () => {
    const outcome = await post('/ok');
    assert.deepEqual({ ...outcome, durationMs: 0 }, { ok: true, statusCode: 204, error: null, durationMs: 0 });
    const last = received.at(-1)!;
    assert.equal(last.body, '{"type":"webhook.test"}');
    assert.equal(last.headers['webhook-id'], 'msg_x');
    assert.equal(last.headers['content-type'], 'application/json');
  });

  test('another status is a failed attempt that records the status and the start of the answer', async () => {
    const outcome = await post('/error');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.statusCode, 500);
    assert.equal(outcome.error, 'HTTP 500: database is down');
  });

  test('a redirect is not followed', async () => {
    const outcome = await post('/redirect');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.statusCode, 302);
  });

  test('no answer within the timeout is a failed attempt', async () => {
    const outcome = await post('/slow', { timeoutMs: 200, allowPrivate: true });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.statusCode, null);
    assert.equal(outcome.error, 'timed out after 200 ms');
    assert.ok(outcome.durationMs >= 190 && outcome.durationMs < 2000, `took ${outcome.durationMs} ms`);
  });

  test('with private webhooks off, a loopback receiver is refused before anything is sent', async () => {
    const before = received.length;
    const outcome = await post('/ok', { timeoutMs: 2000, allowPrivate: false });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.statusCode, null);
    assert.match(outcome.error!, /^refused: url: 127\.0\.0\.1 is a loopback address/);
    assert.equal(received.length, before);
  });

  test("the socket's own lookup refuses a name that resolves to a private address", async () => {
    const error = await new Promise<Error | null>((resolve) => guardedLookup('localhost', { all: true }, (e) => resolve(e)));
    assert.match(String(error?.message), /localhost resolves to .*loopback/);
  });
});
