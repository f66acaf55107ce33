import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';
import { childExecArgv, repoRoot, siblingEntry } from '../common/paths';
import type { MeasurePlan } from './peer';

/**
 * A real link between two network namespaces on this machine, to measure the kernel's TCP across it.
 * The kernel here has no netem, so the link is a user-space delay line (delay-line.c) over one tun device in
 * each namespace. Addresses are from the loopback range only (127.77.0.1 ↔ 127.77.0.2, route_localnet on);
 * the namespaces' own `lo` stays down so 127/8 is not claimed locally. Everything is removed in `close()`.
 *
 * Needs root (namespaces, tun), `ip` (iproute2) and gcc to compile the delay line on first use into var/netlab/
 * — so `npm ci` needs neither, and only a measurement does.
 */
export interface LabLink {
  mbps: number;
  /** Round-trip time: the delay line adds half of it in each direction. */
  rttMs: number;
  /** Congestion control of both namespaces' senders (the kernel offers `reno` and `bbr` here; reno has cubic's slow start). */
  congestionControl?: string;
  /** Bottleneck queue; default 8 MB, so slow start never overflows it (the model assumes no loss unless told). */
  queueBytes?: number;
  /** The process serving in the second namespace: an entry script and its arguments after `<host> <port>`; netcheck's peer by default. */
  server?: { entry: string; args: string[] };
}

export const CLIENT_ADDRESS = '127.77.0.1';
export const SERVER_ADDRESS = '127.77.0.2';
const DEVICE = 'tl0';
const PORT = 7077;

/** Why a measurement cannot run here, or null when it can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return `needs Linux network namespaces; this is ${process.platform}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'needs root (network namespaces and tun devices); run as root or with --no-measure for the model alone';
  if (spawnSync('ip', ['-V']).error) return 'needs the `ip` command (iproute2) to create network namespaces';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun for the delay line';
  if (spawnSync('gcc', ['--version']).error) return 'needs gcc to compile the delay line (src/netlab/delay-line.c)';
  return null;
}

/** Compiles the delay line into var/netlab/ once per source version; returns the binary's path. */
export function delayLineBinary(): string {
  const source = join(repoRoot(), 'src/netlab/delay-line.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = join(repoRoot(), 'var/netlab');
  const binary = join(dir, `delay-line-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const built = spawnSync('gcc', ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
  if (built.status !== 0) throw new TierwiseError('NETLAB_BUILD_FAILED', `gcc could not build the delay line: ${built.stderr}`);
  return binary;
}

/** Runs the peers at a real-time priority (below the delay line's) when `chrt` exists: a loaded machine must not stretch the samples. */
function realtime(): string[] {
  return spawnSync('chrt', ['--version']).error ? [] : ['chrt', '-f', '40'];
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function waitForLine(child: ChildProcess, pattern: string, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new TierwiseError('NETLAB_FAILED', `${what} did not start within ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(pattern)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new TierwiseError('NETLAB_FAILED', `${what} exited (${code}): ${err.trim()}`));
    });
  });
}

export class Lab {
  private delayLine?: ChildProcess;
  private server?: ChildProcess;
  private readonly a: string;
  private readonly b: string;

  private constructor(readonly link: LabLink) {
    const tag = `${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
    this.a = `tw-a-${tag}`;
    this.b = `tw-b-${tag}`;
  }

  private static readonly open_ = new Set<Lab>();

  /** Removes every lab still open (for a SIGINT handler); the delay line and server also exit with their parent. */
  static closeAll(): void {
    for (const lab of Lab.open_) for (const ns of [lab.a, lab.b]) spawnSync('ip', ['netns', 'del', ns]);
  }

  /** Two namespaces joined by the link, a server listening in the second. Call `close()` in a finally. */
  static async open(link: LabLink): Promise<Lab> {
    const why = labUnavailable();
    if (why) throw new TierwiseError('NETLAB_UNAVAILABLE', why);
    if (!(link.mbps > 0) || !(link.rttMs >= 0)) throw new TierwiseError('ARGUMENT_INVALID', 'link needs mbps > 0 and rttMs >= 0');
    const binary = delayLineBinary();
    const lab = new Lab(link);
    Lab.open_.add(lab);
    try {
      await lab.start(binary);
      return lab;
    } catch (error) {
      await lab.close();
      throw error;
    }
  }

  private async start(binary: string): Promise<void> {
    const { a, b, link } = this;
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    this.delayLine = spawn(binary, [a, b, DEVICE, String(link.mbps), String(link.rttMs / 2), String(link.queueBytes ?? 8_000_000)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(this.delayLine, 'ready', 'the delay line');
    const cc = link.congestionControl ?? 'reno';
    for (const [ns, local, peer] of [
      [a, CLIENT_ADDRESS, SERVER_ADDRESS],
      [b, SERVER_ADDRESS, CLIENT_ADDRESS],
    ] as const) {
      execFileSync('ip', [
        'netns',
        'exec',
        ns,
        'sysctl',
        '-q',
        '-w',
        'net.ipv4.conf.all.route_localnet=1',
        `net.ipv4.conf.${DEVICE}.route_localnet=1`,
        `net.ipv4.tcp_congestion_control=${cc}`,
        'net.ipv4.tcp_slow_start_after_idle=1',
        'net.ipv4.tcp_no_metrics_save=1',
      ]);
      ip('-n', ns, 'addr', 'add', local, 'peer', peer, 'dev', DEVICE);
      ip('-n', ns, 'link', 'set', DEVICE, 'up');
    }
    const server = link.server ?? { entry: siblingEntry(__filename, 'peer'), args: [] };
    const [mode, ...rest] = server.args.length > 0 ? server.args : ['serve'];
    this.server = spawn(
      'ip',
      ['netns', 'exec', b, ...realtime(), process.execPath, ...childExecArgv(), server.entry, mode!, SERVER_ADDRESS, String(PORT), ...rest],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    await waitForLine(this.server, 'listening', 'the server', 30_000);
  }

  /** Runs the plan from the client namespace; per payload size, the samples in ms. */
  async measure(plan: MeasurePlan): Promise<Array<{ bytes: number; samplesMs: number[] }>> {
    const out = await this.runClient(siblingEntry(__filename, 'peer'), 'measure', [JSON.stringify(plan)]);
    return JSON.parse(out.trim()) as Array<{ bytes: number; samplesMs: number[] }>;
  }

  /** Runs `entry <mode> <server host> <port> …args` in the client namespace; resolves with its stdout. */
  async runClient(entry: string, mode: string, args: string[]): Promise<string> {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.a, ...realtime(), process.execPath, ...childExecArgv(), entry, mode, SERVER_ADDRESS, String(PORT), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new TierwiseError('NETLAB_FAILED', `the client failed (${code}): ${err.trim()}`);
    return out;
  }

  async close(): Promise<void> {
    for (const child of [this.server, this.delayLine]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    for (const ns of [this.a, this.b]) spawnSync('ip', ['netns', 'del', ns]);
    Lab.open_.delete(this);
  }
}
