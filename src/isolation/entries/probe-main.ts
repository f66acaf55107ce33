/**
 * A diagnostics child for the envelope tests and `tierwise bench --check-envelope`-style checks: it does one
 * plainly measurable thing (report its affinity, burn CPU, allocate memory, hang, crash) inside an envelope.
 */
import { readFileSync } from 'node:fs';
import { TierwiseError, type ErrorCode } from '../../common/errors';
import { childMain } from '../child-process';

export type ProbeAction =
  | { action: 'whoami' }
  | { action: 'busy'; ms: number }
  | { action: 'allocate'; mb: number }
  | { action: 'hang' }
  | { action: 'exit'; code: number }
  | { action: 'fail'; code: ErrorCode }
  | { action: 'garbage' };

export interface ProbeReply {
  pid: number;
  cpusAllowedList: string;
  cgroups: string;
  /** For 'busy': CPU time over wall time, 1 = one full core. */
  cpuShare?: number;
  allocatedMB?: number;
}

function identity(): ProbeReply {
  const status = readFileSync('/proc/self/status', 'utf8');
  return {
    pid: process.pid,
    cpusAllowedList: status.match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1] ?? '',
    cgroups: readFileSync('/proc/self/cgroup', 'utf8'),
  };
}

async function probe(input: ProbeAction): Promise<ProbeReply> {
  switch (input.action) {
    case 'whoami':
      return identity();
    case 'busy': {
      const wall0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      let x = 0;
      while (Number(process.hrtime.bigint() - wall0) / 1e6 < input.ms) x += Math.sqrt(x + 1);
      const cpu = process.cpuUsage(cpu0);
      const wallUs = Number(process.hrtime.bigint() - wall0) / 1e3;
      return { ...identity(), cpuShare: (cpu.user + cpu.system) / wallUs + (x < 0 ? 1 : 0) };
    }
    case 'allocate': {
      const blocks: Buffer[] = [];
      for (let i = 0; i < input.mb; i++) blocks.push(Buffer.alloc(1024 * 1024, i & 0xff));
      return { ...identity(), allocatedMB: blocks.length };
    }
    case 'hang':
      await new Promise(() => setInterval(() => undefined, 1000));
      return identity();
    case 'exit':
      process.stderr.write(`probe exiting with ${input.code} on purpose\n`);
      return process.exit(input.code);
    case 'fail':
      throw new TierwiseError(input.code, 'the probe failed on purpose');
    case 'garbage':
      process.stdout.write('this is not JSON\n', () => process.exit(0));
      return new Promise(() => undefined);
  }
}

childMain(probe);
