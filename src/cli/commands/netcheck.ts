import type { Command } from 'commander';
import { TierwiseError } from '../../common/errors';
import { describeTransport, type Connection } from '../../benchmark/network';
import { Lab } from '../../netlab/lab';
import { netcheck } from '../../netlab/netcheck';

interface Options {
  mbps: string;
  rtt: string;
  bytes: string;
  connection?: string;
  cc: string;
  idleGap: string;
  repeats: string;
  maxMs: string;
  measure: boolean;
  json?: boolean;
}

const numbers = (flag: string, value: string, ok: (n: number) => boolean): number[] => {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !ok(n)))
    throw new TierwiseError('ARGUMENT_INVALID', `${flag} must be a comma-separated list of valid numbers, got "${value}"`);
  return list;
};

export function register(program: Command): void {
  program
    .command('netcheck')
    .description(
      "the transfer model beside the kernel's TCP: two network namespaces joined by a delay line of the given bandwidth and RTT (needs root, ip, gcc)",
    )
    .option('--mbps <list>', 'bandwidths in Mbps', '50,20')
    .option('--rtt <list>', 'round-trip times in ms', '20,60')
    .option('--bytes <list>', 'payload sizes in bytes', '30000,150000')
    .option('--connection <mode>', 'per-request or kept-alive (default: both)')
    .option('--cc <name>', 'congestion control of the senders: reno (slow start and idle restart as cubic) or bbr', 'reno')
    .option('--idle-gap <ms>', 'kept-alive: idle time before each measured request', '1000')
    .option('--repeats <n>', 'samples per point (the row is their median)', '3')
    .option('--max-ms <ms>', 'skip points the model says take longer', '5000')
    .option('--no-measure', "print the model's rows alone (no root needed)")
    .option('--json', 'print one JSON object: {rows: [{bytes, mbps, rttMs, connection, modelMs, measuredMs, …}]}')
    .action(async (options: Options) => {
      const connections: Connection[] =
        options.connection === undefined ? ['per-request', 'kept-alive'] : [options.connection as Connection];
      if (!connections.every((c) => c === 'per-request' || c === 'kept-alive'))
        throw new TierwiseError('ARGUMENT_INVALID', `--connection must be per-request or kept-alive, got "${options.connection}"`);
      if (options.cc !== 'reno' && options.cc !== 'bbr')
        throw new TierwiseError(
          'ARGUMENT_INVALID',
          `--cc must be reno or bbr (the congestion controls a namespace may pick here), got "${options.cc}"`,
        );
      const [idleGapMs] = numbers('--idle-gap', options.idleGap, (n) => n >= 0);
      const [repeats] = numbers('--repeats', options.repeats, (n) => Number.isInteger(n) && n >= 1 && n <= 50);
      const [maxMs] = numbers('--max-ms', options.maxMs, (n) => n > 0);
      const interrupted = (signal: NodeJS.Signals) => {
        Lab.closeAll();
        process.kill(process.pid, signal);
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      const result = await netcheck({
        mbps: numbers('--mbps', options.mbps, (n) => n > 0 && n <= 10_000),
        rttMs: numbers('--rtt', options.rtt, (n) => n >= 0 && n <= 2000),
        bytes: numbers('--bytes', options.bytes, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000_000),
        connections,
        congestionControl: options.cc,
        idleGapMs: idleGapMs!,
        repeats: repeats!,
        maxMs: maxMs!,
        measure: options.measure,
        log: options.json ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      for (const line of result.skipped) process.stderr.write(`skip ${line}\n`);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ rows: result.rows.map(({ transport, ...row }) => ({ ...row, transport: describeTransport(transport) })) })}\n`,
        );
        return;
      }
      process.stdout.write(
        `${'bytes'.padStart(9)} ${'Mbps'.padStart(6)} ${'RTT'.padStart(5)} ${'connection'.padEnd(12)} ${'model ms'.padStart(9)} ${'kernel ms'.padStart(10)} ${'error'.padStart(7)}\n`,
      );
      for (const r of result.rows) {
        process.stdout.write(
          `${String(r.bytes).padStart(9)} ${String(r.mbps).padStart(6)} ${String(r.rttMs).padStart(5)} ${r.connection.padEnd(12)} ${r.modelMs.toFixed(1).padStart(9)} ${(r.measuredMs === null ? '—' : r.measuredMs.toFixed(1)).padStart(10)} ${(r.errorPct === null ? '' : `${r.errorPct.toFixed(1)}%`).padStart(7)}${r.modelSpanMs ? `  restart boundary: model ${r.modelSpanMs[0].toFixed(1)}–${r.modelSpanMs[1].toFixed(1)} ms${r.spanErrorPct === null ? '' : `, ${r.spanErrorPct.toFixed(1)}% from the span`}` : ''}\n`,
        );
      }
      if (result.rows.some((r) => r.modelSpanMs))
        process.stdout.write(
          'restart boundary: after the idle gap the kernel restarts slow start from either of two windows (its RTO sits within a timer tick of the idle time); the model gives the likelier and both figures\n',
        );
      const seen = new Set<string>();
      for (const r of result.rows) {
        const line = `${r.connection}: ${describeTransport(r.transport)}`;
        if (!seen.has(line)) {
          seen.add(line);
          process.stdout.write(`model: ${line}\n`);
        }
      }
    });
}
