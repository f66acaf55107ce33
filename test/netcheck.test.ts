import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../src/common/paths';
import { labUnavailable } from '../src/netlab/lab';
import { netcheck } from '../src/netlab/netcheck';

const cli = join(repoRoot(), 'dist/src/cli/main.js');

function tierwise(args: string[], prefix: string[] = []): { status: number | null; json: any; stderr: string } {
  const command = prefix.length > 0 ? prefix[0]! : process.execPath;
  const argv = prefix.length > 0 ? [...prefix.slice(1), process.execPath, cli, ...args] : [cli, ...args];
  const run = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    json = undefined;
  }
  return { status: run.status, json, stderr: run.stderr };
}

interface Row {
  bytes: number;
  mbps: number;
  rttMs: number;
  connection: string;
  modelMs: number;
  measuredMs: number | null;
  errorPct: number | null;
}

describe('tierwise netcheck', () => {
  test('--no-measure prints the model rows alone, no root needed', () => {
    const run = tierwise([
      'netcheck',
      '--no-measure',
      '--json',
      '--mbps',
      '20',
      '--rtt',
      '60',
      '--bytes',
      '3000,150000',
      '--connection',
      'per-request',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const rows = run.json.rows as Row[];
    assert.deepEqual(
      rows.map((r) => [r.bytes, r.mbps, r.rttMs, r.connection, r.measuredMs]),
      [
        [3000, 20, 60, 'per-request', null],
        [150000, 20, 60, 'per-request', null],
      ],
    );
    // 3008 B (3 segments) per request: handshake 60 + wire (3008 + 3 × 52 headers) × 8 / 20 000 + one RTT; the answer's 53 B.
    assert.ok(Math.abs(rows[0]!.modelMs - (60 + (3164 * 8) / 20_000 + 60 + (53 * 8) / 20_000)) < 1e-9, `model ${rows[0]!.modelMs}`);
    assert.ok(rows[1]!.modelMs > 300, 'slow start makes 150 kB on a new 60 ms connection cost several round trips');
  });

  test('bad options are refused with a code', () => {
    const run = tierwise(['netcheck', '--no-measure', '--connection', 'sometimes']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /ARGUMENT_INVALID.*--connection must be per-request or kept-alive/);
  });

  test(
    'without root it says what it needs',
    {
      skip: spawnSync('setpriv', ['--version']).error
        ? 'setpriv is not installed'
        : process.getuid?.() !== 0
          ? 'runs as root to drop to nobody'
          : false,
    },
    () => {
      const run = tierwise(['netcheck', '--json', '--bytes', '3000'], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /NETLAB_UNAVAILABLE.*needs root.*--no-measure/);
    },
  );

  const why = labUnavailable();
  test(
    "the model is within 10 % of the kernel's TCP at 50 Mbps / 20 ms and 20 Mbps / 60 ms, 30 kB and 600 kB, both modes",
    { skip: why ? `skipped: netcheck ${why}` : false, timeout: 240_000 },
    async () => {
      // In-process (the CLI's own code path below its option parsing) to spare two CLI start-ups.
      const options = {
        bytes: [30_000, 600_000],
        connections: ['per-request', 'kept-alive'] as const,
        congestionControl: 'reno' as const,
        idleGapMs: 1000,
        repeats: 3,
        measure: true,
        maxMs: 5000,
      };
      const rows: Row[] = [];
      for (const [mbps, rttMs] of [
        [50, 20],
        [20, 60],
      ])
        rows.push(...(await netcheck({ ...options, connections: [...options.connections], mbps: [mbps!], rttMs: [rttMs!] })).rows);
      assert.equal(rows.length, 8);
      // The delay line is a user-space process: on a host busy with the rest of the suite a descheduled hop adds
      // milliseconds the link does not have. A point outside the bound is retaken (up to twice, 5 samples), as the
      // product retakes a noisy measurement; a model that is wrong stays wrong on every take.
      for (const [i, row] of rows.entries()) {
        let taken = row;
        for (let retake = 0; retake < 2 && Math.abs(taken.errorPct!) > 10; retake++) {
          const again = await netcheck({
            ...options,
            repeats: 5,
            bytes: [row.bytes],
            connections: [row.connection as 'per-request' | 'kept-alive'],
            mbps: [row.mbps],
            rttMs: [row.rttMs],
          });
          taken = again.rows[0]!;
        }
        rows[i] = taken;
      }
      for (const row of rows) {
        assert.ok(row.measuredMs !== null && row.measuredMs > row.rttMs, `${JSON.stringify(row)}: a real exchange takes at least the RTT`);
        assert.ok(
          Math.abs(row.errorPct!) <= 10,
          `${row.bytes} B at ${row.mbps} Mbps / ${row.rttMs} ms ${row.connection}: model ${row.modelMs.toFixed(1)} ms, kernel ${row.measuredMs!.toFixed(1)} ms`,
        );
      }
      // What the old formula missed: a new connection costs a handshake and slow start more than a kept-alive one.
      const at = (connection: string, bytes: number, rttMs: number) =>
        rows.find((r) => r.connection === connection && r.bytes === bytes && r.rttMs === rttMs)!;
      assert.ok(at('per-request', 600000, 60).measuredMs! > at('kept-alive', 600000, 60).measuredMs! + 60);
    },
  );
});
