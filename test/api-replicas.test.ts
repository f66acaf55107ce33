import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../src/common/paths';
import { isTerminal } from '../src/studies/study-status';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily } from './support/studies';

isolateEnvironment();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Reads `progress` events from an SSE response until a terminal status (or the deadline). */
async function followEvents(url: string, key: string, timeoutMs: number): Promise<Array<{ status: string; jobsDone: number }>> {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  assert.equal(response.status, 200);
  const events: Array<{ status: string; jobsDone: number }> = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (!data) continue;
      const event = JSON.parse(data) as { status: string; jobsDone: number };
      events.push(event);
      if (isTerminal(event.status)) return events;
    }
  }
  return events;
}

describe('two api replicas on one database and Redis', () => {
  let replicaA: Api;
  let replicaB: ChildProcess;
  let urlB: string;
  let worker: INestApplicationContext;
  let log = '';

  before(async () => {
    replicaA = await startApi();
    worker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile'] });
    const port = await freePort();
    urlB = `http://127.0.0.1:${port}`;
    // Replica B: another process, the same DATABASE_URL, REDIS_URL, QUEUE_PREFIX and BLOB_DIR (isolateEnvironment set them).
    replicaB = spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), 'serve'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    replicaB.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    replicaB.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${urlB}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || replicaB.exitCode !== null) throw new Error(`replica B did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });
  after(async () => {
    if (replicaB && replicaB.exitCode === null) {
      const exited = new Promise((r) => replicaB.once('exit', r));
      replicaB.kill('SIGTERM');
      await exited;
    }
    await worker?.close();
    await replicaA?.close();
  });

  test('a study created on replica A is followed to the end over SSE from replica B', async () => {
    const { key, auth } = await replicaA.newTeam();
    const ids = await uploadImageFamily(replicaA, auth, []);
    const created = await replicaA.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity'], scenarios: ['mobile'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const events = await followEvents(`${urlB}/v1/studies/${created.body.id}/events`, key, 240_000);
    assert.ok(events.length >= 2, `only ${events.length} events reached replica B: ${JSON.stringify(events)}`);
    const last = events[events.length - 1];
    assert.equal(last.status, 'completed', JSON.stringify(events));
    // Events published by the worker (not only the replica's own first snapshot) crossed Redis to B.
    assert.ok(events.some((e) => e.jobsDone > 0 && !isTerminal(e.status)) || events.length > 2, JSON.stringify(events));
    const viaB = await fetch(`${urlB}/v1/studies/${created.body.id}`, { headers: auth });
    assert.equal(((await viaB.json()) as { status: string }).status, 'completed');
  });
});
