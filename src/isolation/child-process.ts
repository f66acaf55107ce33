import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isErrorCode, isTierwiseError, TierwiseError, type ErrorCode } from '../common/errors';
import { childExecArgv } from '../common/paths';
import { createChildCgroups, detectCapabilities, readMemoryEvents, removeChildCgroups, type ChildCgroups } from './cgroups';

/**
 * Runs a child entry point in a resource envelope and returns the one JSON object it prints. A crash, OOM or
 * hang of the child becomes a TierwiseError here; the calling process never goes down with it.
 */
export interface Envelope {
  /** Host cores the child is pinned to (taskset). */
  cores?: number[];
  /** Memory limit: a cgroup when one can be made, else V8 heap flags plus an RSS watchdog. */
  memoryMB?: number;
  /** CPU quota in CPUs (0.25 = a quarter of one core), enforced with a cpu cgroup. */
  quotaCpus?: number;
  quotaPeriodUs?: number;
  /** false forces the no-cgroup fallbacks (the watchdog), e.g. to test them. Default true. */
  cgroups?: boolean;
}

/** What was really applied to the child, as opposed to what was asked for. */
export interface EnforcementRecord {
  pinnedCores: number[] | null;
  memory: { mechanism: 'cgroup-v1' | 'cgroup-v2' | 'watchdog' | 'none'; limitMB: number | null };
  cpuQuota: { mechanism: 'cgroup-v1' | 'cgroup-v2' | 'none'; cpus: number | null; periodUs: number | null };
  warnings: string[];
}

export interface ChildRunOptions {
  entry: string;
  input: unknown;
  timeoutMs: number;
  envelope?: Envelope;
  label?: string;
  /** Aborting kills the child; the run then fails with CANCELLED. */
  signal?: AbortSignal;
}

export interface ChildRun<T> {
  result: T;
  enforcement: EnforcementRecord;
  /** Peak memory of the child as the cgroup or the watchdog saw it, bytes; null when neither watched. */
  peakMemoryBytes: number | null;
  wallMs: number;
}

const STDERR_TAIL = 2048;
const OOM_PATTERN = /JavaScript heap out of memory|std::bad_alloc|Failed to allocate memory|Cannot allocate memory|out of memory/i;
const JOIN_FAILED_EXIT = 97;

export async function runChild<T>(options: ChildRunOptions): Promise<T> {
  return (await runChildDetailed<T>(options)).result;
}

export async function runChildDetailed<T>(options: ChildRunOptions): Promise<ChildRun<T>> {
  const envelope = options.envelope ?? {};
  const label = options.label ?? options.entry;
  const { groups, enforcement } = prepare(envelope);
  try {
    return await spawnAndCollect<T>(options, label, envelope, groups, enforcement);
  } finally {
    await removeChildCgroups(groups);
  }
}

function prepare(envelope: Envelope): { groups: ChildCgroups; enforcement: EnforcementRecord } {
  const caps = detectCapabilities();
  const warnings: string[] = [];
  const useCgroups = envelope.cgroups !== false;
  const groups = useCgroups
    ? createChildCgroups({
        memoryBytes: envelope.memoryMB === undefined ? undefined : Math.round(envelope.memoryMB * 1024 * 1024),
        quotaCpus: envelope.quotaCpus,
        periodUs: envelope.quotaPeriodUs,
      })
    : { procsFiles: [] };
  let pinnedCores: number[] | null = null;
  if (envelope.cores && envelope.cores.length > 0) {
    const bad = envelope.cores.filter((c) => !caps.hostCores.includes(c));
    if (bad.length > 0)
      throw new TierwiseError(
        'ENVELOPE_INVALID',
        `cores ${bad.join(',')} are not available on this host (allowed: ${caps.hostCores.join(',')})`,
      );
    if (caps.taskset) pinnedCores = [...envelope.cores];
    else warnings.push(`asked to pin to cores ${envelope.cores.join(',')} but taskset is unavailable: not pinned`);
  }
  let memoryMechanism: EnforcementRecord['memory']['mechanism'] = 'none';
  if (envelope.memoryMB !== undefined) {
    if (groups.memory) memoryMechanism = groups.memory.version === 'v1' ? 'cgroup-v1' : 'cgroup-v2';
    else {
      memoryMechanism = 'watchdog';
      warnings.push(
        `no memory cgroup${useCgroups ? ' could be made' : ' (disabled)'}: the ${envelope.memoryMB} MiB limit is a V8 heap flag plus an RSS watchdog polled every 20 ms, so a fast allocation can overshoot briefly`,
      );
    }
  }
  let quotaMechanism: EnforcementRecord['cpuQuota']['mechanism'] = 'none';
  if (envelope.quotaCpus !== undefined) {
    if (groups.cpu) quotaMechanism = groups.cpu.version === 'v1' ? 'cgroup-v1' : 'cgroup-v2';
    else warnings.push(`asked for a ${envelope.quotaCpus}-CPU quota but no cpu cgroup could be made: not enforced`);
  }
  const enforcement: EnforcementRecord = {
    pinnedCores,
    memory: { mechanism: memoryMechanism, limitMB: memoryMechanism === 'none' ? null : (envelope.memoryMB ?? null) },
    cpuQuota: {
      mechanism: quotaMechanism,
      cpus: groups.cpu?.quotaCpus ?? null,
      periodUs: groups.cpu?.periodUs ?? null,
    },
    warnings,
  };
  return { groups, enforcement };
}

function commandLine(entry: string, envelope: Envelope, groups: ChildCgroups, enforcement: EnforcementRecord): string[] {
  const heap = envelope.memoryMB === undefined ? [] : [`--max-old-space-size=${Math.max(16, Math.floor(envelope.memoryMB))}`];
  let argv = [process.execPath, ...childExecArgv(), ...heap, entry];
  if (enforcement.pinnedCores) argv = ['taskset', '-c', enforcement.pinnedCores.join(','), ...argv];
  if (groups.procsFiles.length > 0) {
    // The shell joins the groups itself and then execs the child, so not one allocation escapes the limit.
    const join = `while [ "$1" != "--" ]; do echo $$ > "$1" || exit ${JOIN_FAILED_EXIT}; shift; done; shift; exec "$@"`;
    argv = ['/bin/sh', '-c', join, 'tierwise-child', ...groups.procsFiles, '--', ...argv];
  }
  return argv;
}

function spawnAndCollect<T>(
  options: ChildRunOptions,
  label: string,
  envelope: Envelope,
  groups: ChildCgroups,
  enforcement: EnforcementRecord,
): Promise<ChildRun<T>> {
  const [file, ...args] = commandLine(options.entry, envelope, groups, enforcement);
  const started = process.hrtime.bigint();
  return new Promise<ChildRun<T>>((resolve, reject) => {
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let watchdogKilled = false;
    let watchedPeak: number | null = null;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8 * STDERR_TAIL);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(options.input ?? null));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    let cancelled = false;
    const cancel = (): void => {
      cancelled = true;
      child.kill('SIGKILL');
    };
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener('abort', cancel, { once: true });
    const limitBytes =
      enforcement.memory.mechanism === 'watchdog' && envelope.memoryMB !== undefined ? envelope.memoryMB * 1024 * 1024 : null;
    const watchdog =
      limitBytes === null
        ? null
        : setInterval(() => {
            const rss = rssBytes(child.pid);
            if (rss === null) return;
            watchedPeak = Math.max(watchedPeak ?? 0, rss);
            if (rss > limitBytes) {
              watchdogKilled = true;
              child.kill('SIGKILL');
            }
          }, 20);
    const fail = (code: ErrorCode, message: string, extra: Record<string, unknown>): void => {
      const tail = stderr.slice(-STDERR_TAIL);
      reject(
        new TierwiseError(code, `${label}: ${message}${tail ? `\n--- stderr (last ${tail.length} chars) ---\n${tail}` : ''}`, {
          label,
          stderrTail: tail,
          enforcement,
          ...extra,
        }),
      );
    };
    child.on('error', (error) => {
      clearTimeout(timer);
      if (watchdog) clearInterval(watchdog);
      fail('RUNNER_CRASHED', `could not start the child (${error.message})`, {});
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (watchdog) clearInterval(watchdog);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const memoryEvents = readMemoryEvents(groups);
      const peakMemoryBytes = memoryEvents.peakBytes ?? watchedPeak;
      const extra = { exitCode, signal, wallMs, peakMemoryBytes };
      options.signal?.removeEventListener('abort', cancel);
      if (cancelled) return fail('CANCELLED', 'cancelled while running', extra);
      if (timedOut) return fail('RUNNER_TIMEOUT', `killed after the ${options.timeoutMs} ms timeout`, extra);
      const limit = `the ${envelope.memoryMB} MiB memory limit`;
      if (watchdogKilled) return fail('RUNNER_OOM', `resident memory exceeded ${limit} (watchdog)`, extra);
      if (exitCode !== 0 && memoryEvents.oomKills > 0)
        return fail('RUNNER_OOM', `killed by the OOM killer at ${limit} (${enforcement.memory.mechanism})`, extra);
      if (exitCode !== 0 && OOM_PATTERN.test(stderr))
        return fail('RUNNER_OOM', `ran out of memory${envelope.memoryMB === undefined ? '' : ` under ${limit}`}`, extra);
      if (exitCode === JOIN_FAILED_EXIT && groups.procsFiles.length > 0) return fail('RUNNER_CRASHED', 'could not join its cgroups', extra);
      const parsed = parseReply(stdout);
      if (parsed?.ok === false) {
        const error = parsed.error;
        return reject(
          new TierwiseError(isErrorCode(error.code) ? error.code : 'RUNNER_CRASHED', error.message, { ...error.details, label, wallMs }),
        );
      }
      if (exitCode !== 0 || signal) return fail('RUNNER_CRASHED', signal ? `killed by ${signal}` : `exited with code ${exitCode}`, extra);
      if (!parsed) return fail('RUNNER_CRASHED', `printed no JSON result (stdout: ${JSON.stringify(stdout.slice(-200))})`, extra);
      resolve({ result: parsed.result as T, enforcement, peakMemoryBytes, wallMs });
    });
  });
}

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

function parseReply(stdout: string): Reply | null {
  const line = stdout.trim().split('\n').pop();
  if (!line) return null;
  try {
    const value = JSON.parse(line) as Reply;
    return value && typeof value === 'object' && typeof value.ok === 'boolean' ? value : null;
  } catch {
    return null;
  }
}

function rssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/**
 * The body of every child entry point: reads the input JSON from stdin, runs `handler`, prints
 * `{ok, result|error}` as one JSON line on stdout and exits. A TierwiseError keeps its code across the boundary.
 */
export function childMain<I, O>(handler: (input: I) => Promise<O> | O): void {
  console.log = console.error;
  console.info = console.error;
  settle(async () => handler(JSON.parse((await readStdin()) || 'null') as I)).catch(() => process.exit(1));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function settle(work: () => Promise<unknown>): Promise<void> {
  let reply: Reply;
  try {
    reply = { ok: true, result: await work() };
  } catch (error) {
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    reply = isTierwiseError(error)
      ? { ok: false, error: { code: error.entry, message: error.message, details: error.details } }
      : {
          ok: false,
          error: { code: 'RUNNER_CRASHED', message: `the child failed: ${error instanceof Error ? error.message : String(error)}` },
        };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`, () => process.exit(0));
}
