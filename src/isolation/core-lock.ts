import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';

/**
 * Which host cores a tier measures on, and a cross-process lock so at most one measurement uses a core at a
 * time. Cores are taken from the top (core 0 tends to take the host's interrupts and housekeeping).
 */
export function assignCores(threads: number, hostCores: number[]): { cores: number[]; warning?: string } {
  const sorted = [...hostCores].sort((a, b) => a - b);
  if (threads <= sorted.length) return { cores: sorted.slice(sorted.length - threads) };
  return { cores: sorted, warning: `the tier wants ${threads} threads but the host has ${sorted.length} cores: threads share cores` };
}

/** The host cores not in `cores`: where build and evaluation work should be pinned while a measurement runs. */
export function coresExcept(cores: number[], hostCores: number[]): number[] {
  return hostCores.filter((c) => !cores.includes(c));
}

export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TIERWISE_LOCK_DIR ?? join(tmpdir(), 'tierwise-core-locks');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let holder: number;
  try {
    holder = Number(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
  // A lock whose owner died (crash, kill -9) would block the cores forever; a half-written one is left alone.
  if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
    try {
      unlinkSync(path);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Locks every core in `cores` (in ascending order, so two callers cannot deadlock) and returns the release
 * function. Waits up to `timeoutMs`, then throws CORES_BUSY.
 */
export async function lockCores(cores: number[], options: { timeoutMs?: number; dir?: string } = {}): Promise<() => void> {
  const dir = options.dir ?? lockDir();
  mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  const held: string[] = [];
  const release = (): void => {
    for (const path of held.splice(0)) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  };
  for (const core of [...new Set(cores)].sort((a, b) => a - b)) {
    const path = join(dir, `core-${core}.lock`);
    while (!tryLock(path)) {
      if (Date.now() > deadline) {
        release();
        throw new TierwiseError(
          'CORES_BUSY',
          `core ${core} is still used by another measurement after ${options.timeoutMs} ms (lock ${path})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    held.push(path);
  }
  return release;
}

/**
 * CPU time (ms) the kernel counts as busy or stolen on `cores` since boot, from /proc/stat (USER_HZ = 100 on
 * Linux). Compared with the child's own CPU time it tells how much *other* work ran on the measuring cores.
 */
export function coreBusyMs(cores: number[]): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  let jiffies = 0;
  for (const core of cores) {
    const fields = stat
      .match(new RegExp(`^cpu${core} (.+)$`, 'm'))?.[1]
      ?.trim()
      .split(/\s+/)
      .map(Number);
    if (!fields || fields.length < 8) return null;
    const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    jiffies += user + nice + system + irq + softirq + steal;
  }
  return jiffies * 10;
}
