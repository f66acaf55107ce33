/**
 * The transfer model against the kernel's TCP over a grid, both connection modes (reno senders: cubic's slow
 * start and idle restart; 1 s idle gap), median of `--repeats` per point (3), points the model puts over 5 s
 * skipped. Prints model beside kernel per point as it goes (stderr), then the grid and the max / mean |error| per
 * RTT band as Markdown.
 *   --grid acceptance (default, ~7 min): issue 19's grid, 1, 20, 50, 200 Mbps × RTT 0, 5, 20, 60 ms × 3 kB, 150 kB,
 *                     2 MB → bench/results/network-grid.json
 *   --grid fine (~12 min): 1, 10, 50, 200 Mbps × the same RTTs × 3 kB, 30 kB, 150 kB, 600 kB, 2 MB
 *                     → bench/results/netcheck.json
 * Run as root: npx tsx bench/network/main.ts [--grid fine] [--repeats N]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../src/common/paths';
import { describeTransport } from '../../src/benchmark/network';
import { labUnavailable } from '../../src/netlab/lab';
import { netcheck, type NetcheckRow } from '../../src/netlab/netcheck';

const GRIDS = {
  acceptance: { mbps: [1, 20, 50, 200], bytes: [3_000, 150_000, 2_000_000], file: 'network-grid.json' },
  fine: { mbps: [1, 10, 50, 200], bytes: [3_000, 30_000, 150_000, 600_000, 2_000_000], file: 'netcheck.json' },
} as const;
const RTTS = [0, 5, 20, 60];

const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { grid: { type: 'string', default: 'acceptance' }, repeats: { type: 'string', default: '3' } } });
  const grid = GRIDS[values.grid as keyof typeof GRIDS];
  const repeats = Number(values.repeats);
  if (!grid || !(Number.isInteger(repeats) && repeats >= 1)) {
    process.stderr.write('usage: bench/network/main.ts [--grid acceptance|fine] [--repeats N]\n');
    process.exit(2);
  }
  const why = labUnavailable();
  if (why) {
    process.stderr.write(`bench/network: netcheck ${why}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const rows: NetcheckRow[] = [];
  const skipped: string[] = [];
  for (const mbps of grid.mbps) {
    for (const rttMs of RTTS) {
      const result = await netcheck({
        mbps: [mbps],
        rttMs: [rttMs],
        bytes: [...grid.bytes],
        connections: ['per-request', 'kept-alive'],
        congestionControl: 'reno',
        idleGapMs: 1000,
        repeats,
        measure: true,
        maxMs: 5000,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      rows.push(...result.rows);
      skipped.push(...result.skipped);
    }
  }
  const bands = RTTS.map((rttMs) => {
    const band = rows.filter((r) => r.rttMs === rttMs);
    const abs = (f: (r: NetcheckRow) => number) => band.map((r) => Math.abs(f(r)));
    const errors = abs((r) => r.errorPct!);
    const spanErrors = abs((r) => r.spanErrorPct!);
    return {
      rttMs,
      points: band.length,
      maxAbsErrorPct: Math.max(...errors),
      meanAbsErrorPct: errors.reduce((s, e) => s + e, 0) / errors.length,
      boundaryPoints: band.filter((r) => r.modelSpanMs).length,
      maxAbsSpanErrorPct: Math.max(...spanErrors),
    };
  });
  const out = {
    generatedAt: new Date().toISOString(),
    method: `two network namespaces joined by a tun delay line (src/netlab), reno senders, 1 s idle gap before each kept-alive request; row = median of ${repeats}; error = (model − kernel) / kernel; span error: against the model's two figures at a slow-start restart boundary (0 between them)`,
    model: describeTransport(rows[0]!.transport).replace(/, endpoint [\d.]+ ms/, ', endpoint measured per link'),
    seconds: (Date.now() - started) / 1e3,
    summary: bands,
    skipped,
    rows: rows.map(({ transport: _t, ...row }) => row),
  };
  writeFileSync(join(repoRoot(), 'bench/results', grid.file), `${JSON.stringify(out, null, 1)}\n`);
  const lines = [
    '| Mbps | RTT ms | bytes | per-request model / kernel ms | error | kept-alive model / kernel ms | error |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const mbps of grid.mbps)
    for (const rttMs of RTTS)
      for (const bytes of grid.bytes) {
        const pick = (c: string) => rows.find((r) => r.mbps === mbps && r.rttMs === rttMs && r.bytes === bytes && r.connection === c);
        const a = pick('per-request');
        const b = pick('kept-alive');
        if (!a && !b) continue;
        const cell = (r?: NetcheckRow) => {
          if (!r) return ['—', ''];
          const span = r.modelSpanMs ? ` (${r.modelSpanMs[0].toFixed(1)}–${r.modelSpanMs[1].toFixed(1)})` : '';
          const spanError = r.modelSpanMs ? ` (span ${signed(r.spanErrorPct!)})` : '';
          return [`${r.modelMs.toFixed(1)}${span} / ${r.measuredMs!.toFixed(1)}`, `${signed(r.errorPct!)}${spanError}`];
        };
        lines.push(`| ${mbps} | ${rttMs} | ${bytes} | ${cell(a).join(' | ')} | ${cell(b).join(' | ')} |`);
      }
  lines.push(
    '',
    '| RTT ms | points | max abs error | mean abs error | at a restart boundary | max abs error against the span |',
    '|---|---|---|---|---|---|',
  );
  for (const b of bands)
    lines.push(
      `| ${b.rttMs} | ${b.points} | ${b.maxAbsErrorPct.toFixed(1)}% | ${b.meanAbsErrorPct.toFixed(1)}% | ${b.boundaryPoints} | ${b.maxAbsSpanErrorPct.toFixed(1)}% |`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
