import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { repoRoot } from '../../src/common/paths';
import { isTerminal } from '../../src/studies/study-status';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface Replica {
  url: string;
  /** What the process printed, for a failure's message. */
  log(): string;
  stop(): Promise<void>;
}

/** Another api process (`tierwise serve`) on this process's environment: the same database, Redis, prefix and blobs. */
export async function spawnReplica(env: NodeJS.ProcessEnv = {}): Promise<Replica> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), 'serve'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`replica did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, log: () => log, stop };
}

export interface ProgressEvent {
  status: string;
  jobsDone: number;
}

/** Reads `progress` events from a study's SSE stream until a terminal status (or the deadline). */
export async function followSse(url: string, key: string, timeoutMs: number): Promise<ProgressEvent[]> {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  assert.equal(response.status, 200);
  const events: ProgressEvent[] = [];
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
      const event = JSON.parse(data) as ProgressEvent;
      events.push(event);
      if (isTerminal(event.status)) return events;
    }
  }
  return events;
}

/** Follows a study's `studyProgress` GraphQL subscription over graphql-ws until the server completes it. */
export async function followGraphql(httpUrl: string, key: string, studyId: string, timeoutMs: number): Promise<ProgressEvent[]> {
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    lazy: true,
  });
  const events: ProgressEvent[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no end within ${timeoutMs} ms: ${JSON.stringify(events)}`)), timeoutMs);
      client.subscribe<{ studyProgress: ProgressEvent }>(
        { query: `subscription($id: ID!) { studyProgress(id: $id) { status jobsDone } }`, variables: { id: studyId } },
        {
          next: (msg) => (msg.errors ? reject(new Error(JSON.stringify(msg.errors))) : events.push(msg.data!.studyProgress)),
          error: (e) => {
            clearTimeout(timer);
            reject(e instanceof Error ? e : new Error(JSON.stringify(e)));
          },
          complete: () => {
            clearTimeout(timer);
            resolve();
          },
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return events;
}

/** The events of a study followed from a replica that did not create it: they must cross Redis from the worker. */
export function assertFollowedToTheEnd(events: ProgressEvent[]): void {
  assert.ok(events.length >= 2, `only ${events.length} events reached the replica: ${JSON.stringify(events)}`);
  assert.equal(events.at(-1)?.status, 'completed', JSON.stringify(events));
  // Events published by the worker (not only the replica's own first snapshot) crossed Redis.
  assert.ok(events.some((e) => e.jobsDone > 0 && !isTerminal(e.status)) || events.length > 2, JSON.stringify(events));
}
