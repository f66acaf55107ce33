import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Control groups for one child: a memory limit and/or a CPU quota. Groups are made *below this process's own
 * cgroup* (not at the hierarchy root), so a child stays inside whatever accounting the host applies to us.
 * Supports cgroup v1 (memory.limit_in_bytes, cpu.cfs_quota_us) and v2 (memory.max, cpu.max).
 */
export type CgroupVersion = 'v1' | 'v2';

export interface HostCapabilities {
  hostCores: number[];
  taskset: boolean;
  memoryCgroup: CgroupVersion | null;
  cpuCgroup: CgroupVersion | null;
  /** Why a capability is missing, for the envelope record's warnings. */
  notes: string[];
}

export interface ChildCgroups {
  /** `cgroup.procs` files the child must join before it starts. */
  procsFiles: string[];
  memory?: { version: CgroupVersion; dir: string; limitBytes: number };
  cpu?: { version: CgroupVersion; dir: string; quotaCpus: number; periodUs: number };
}

const ROOT = '/sys/fs/cgroup';

function ownPath(controller: string): string | null {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  } catch {
    return null;
  }
  for (const line of lines) {
    const [, controllers, path] = line.split(':');
    if (controllers === undefined || path === undefined) continue;
    if (controller === '' ? controllers === '' : controllers.split(',').includes(controller)) return path;
  }
  return null;
}

function isV2Unified(): boolean {
  return existsSync(join(ROOT, 'cgroup.controllers'));
}

/** The directory under which this process may create a child group for `controller`, or null. */
function parentDir(controller: 'memory' | 'cpu'): { version: CgroupVersion; dir: string } | null {
  if (isV2Unified()) {
    const own = ownPath('');
    if (own === null) return null;
    const dir = join(ROOT, own);
    const available = safeRead(join(dir, 'cgroup.controllers'))?.split(/\s+/) ?? [];
    return available.includes(controller) ? { version: 'v2', dir } : null;
  }
  const own = ownPath(controller);
  const base = join(ROOT, controller);
  if (own === null || !existsSync(base)) return null;
  return { version: 'v1', dir: join(base, own) };
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function tryMake(controller: 'memory' | 'cpu'): { version: CgroupVersion; dir: string } | null {
  const parent = parentDir(controller);
  if (!parent) return null;
  const dir = join(parent.dir, `tierwise-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (parent.version === 'v2') enableV2Controller(parent.dir, controller);
    mkdirSync(dir);
    return { version: parent.version, dir };
  } catch {
    return null;
  }
}

function enableV2Controller(parent: string, controller: string): void {
  const enabled = safeRead(join(parent, 'cgroup.subtree_control'))?.split(/\s+/) ?? [];
  if (!enabled.includes(controller)) writeFileSync(join(parent, 'cgroup.subtree_control'), `+${controller}`);
}

let cached: HostCapabilities | null = null;

/** What this host lets us enforce, found by trying (a writable mount is not proof); cached per process. */
export function detectCapabilities(): HostCapabilities {
  if (cached) return cached;
  const notes: string[] = [];
  const hostCores = allowedCores();
  const taskset = spawnSync('taskset', ['-c', String(hostCores[0] ?? 0), 'true']).status === 0;
  if (!taskset) notes.push('taskset is not available or not permitted: cores cannot be pinned');
  const probe = (controller: 'memory' | 'cpu'): CgroupVersion | null => {
    const made = tryMake(controller);
    if (!made) {
      notes.push(`cannot create a ${controller} cgroup below this process's own group (no cgroup write access)`);
      return null;
    }
    removeDir(made.dir);
    return made.version;
  };
  cached = { hostCores, taskset, memoryCgroup: probe('memory'), cpuCgroup: probe('cpu'), notes };
  return cached;
}

/**
 * The cores this process may run on (its affinity), e.g. [0, 1]. `tierwise start` pins its services to the work
 * cores and tells them the host's full set in TIERWISE_HOST_CORES, so their tiers and core plans stay the host's.
 */
export function allowedCores(): number[] {
  if (process.env.TIERWISE_HOST_CORES) return parseCpuList(process.env.TIERWISE_HOST_CORES);
  const list = safeRead('/proc/self/status')?.match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1];
  if (!list) return Array.from({ length: availableParallelism() }, (_, i) => i);
  return parseCpuList(list);
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const cores: number[] = [];
  for (const part of list.trim().split(',').filter(Boolean)) {
    const [lo, hi] = part.split('-').map(Number);
    for (let c = lo!; c <= (hi ?? lo!); c++) cores.push(c);
  }
  return cores;
}

/** Creates the groups a child needs; what could not be made is simply absent (the caller falls back). */
export function createChildCgroups(request: { memoryBytes?: number; quotaCpus?: number; periodUs?: number }): ChildCgroups {
  const groups: ChildCgroups = { procsFiles: [] };
  if (request.memoryBytes !== undefined) {
    const made = tryMake('memory');
    if (made && setMemoryLimit(made.version, made.dir, request.memoryBytes)) {
      groups.memory = { ...made, limitBytes: request.memoryBytes };
      groups.procsFiles.push(join(made.dir, 'cgroup.procs'));
    } else if (made) removeDir(made.dir);
  }
  if (request.quotaCpus !== undefined) {
    const periodUs = request.periodUs ?? 100_000;
    const reuse = groups.memory?.version === 'v2' ? groups.memory.dir : null;
    const made = reuse ? { version: 'v2' as const, dir: reuse } : tryMake('cpu');
    if (made && setQuota(made.version, made.dir, request.quotaCpus, periodUs)) {
      groups.cpu = { ...made, quotaCpus: request.quotaCpus, periodUs };
      if (!reuse) groups.procsFiles.push(join(made.dir, 'cgroup.procs'));
    } else if (made && !reuse) removeDir(made.dir);
  }
  return groups;
}

function setMemoryLimit(version: CgroupVersion, dir: string, bytes: number): boolean {
  try {
    if (version === 'v2') {
      writeFileSync(join(dir, 'memory.max'), String(bytes));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
      // Without this a host with swap would page the child out instead of stopping it at the limit.
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(bytes));
    }
    return true;
  } catch {
    return false;
  }
}

function setQuota(version: CgroupVersion, dir: string, cpus: number, periodUs: number): boolean {
  const quotaUs = Math.max(1000, Math.round(cpus * periodUs));
  try {
    if (version === 'v2') writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
    else {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    }
    return true;
  } catch {
    return false;
  }
}

/** OOM kills recorded by the memory group, and its peak usage in bytes. */
export function readMemoryEvents(groups: ChildCgroups): { oomKills: number; peakBytes: number | null } {
  const memory = groups.memory;
  if (!memory) return { oomKills: 0, peakBytes: null };
  if (memory.version === 'v2') {
    const events = safeRead(join(memory.dir, 'memory.events')) ?? '';
    const peak = safeRead(join(memory.dir, 'memory.peak'));
    return { oomKills: Number(events.match(/^oom_kill\s+(\d+)/m)?.[1] ?? 0), peakBytes: peak === null ? null : Number(peak) };
  }
  const control = safeRead(join(memory.dir, 'memory.oom_control')) ?? '';
  const failcnt = Number(safeRead(join(memory.dir, 'memory.failcnt')) ?? 0);
  const oomKill = control.match(/^oom_kill\s+(\d+)/m);
  const peak = safeRead(join(memory.dir, 'memory.max_usage_in_bytes'));
  // Old v1 kernels have no oom_kill counter; hitting the limit (failcnt) is then the best evidence.
  return { oomKills: oomKill ? Number(oomKill[1]) : failcnt > 0 ? 1 : 0, peakBytes: peak === null ? null : Number(peak) };
}

/** Removes the groups; a group still holding a dying process is retried briefly. */
export async function removeChildCgroups(groups: ChildCgroups): Promise<void> {
  const dirs = [...new Set([groups.memory?.dir, groups.cpu?.dir].filter((d): d is string => d !== undefined))];
  for (const dir of dirs) {
    for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
      if (removeDir(dir)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function removeDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return !existsSync(dir);
  }
}
