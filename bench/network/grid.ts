/**
 * The issue-19 acceptance grid, kept to ~10 min: 1, 20, 50, 200 Mbps × RTT 0, 5, 20, 60 ms × 3 kB, 150 kB, 2 MB,
 * both connection modes (reno senders: cubic's slow start and idle restart; 1 s idle gap), median of 3 per point,
 * points the model puts over 5 s skipped. Prints model beside kernel per point as it goes (stderr), then the grid
 * and the max / mean |error| per RTT band as Markdown; writes bench/results/network-grid.json.
 * Run as root: npx tsx bench/network/grid.ts   (bench/network/main.ts is the finer, longer grid)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/common/paths';
import { describeTransport } from '../../src/benchmark/network';
import { labUnavailable } from '../../src/netlab/lab';
import { netcheck, type NetcheckRow } from '../../src/netlab/netcheck';

const MBPS = [1, 20, 50, 200];
const RTTS = [0, 5, 20, 60];
const BYTES = [3_000, 150_000, 2_000_000];

async function main(): Promise<void> {
  const why = labUnavailable();
  if (why) {
    process.stderr.write(`bench/network/grid: netcheck ${why}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const rows: NetcheckRow[] = [];
  const skipped: string[] = [];
  for (const mbps of MBPS) {
    for (const rttMs of RTTS) {
      const result = await netcheck({
        mbps: [mbps],
        rttMs: [rttMs],
        bytes: BYTES,
        connections: ['per-request', 'kept-alive'],
        congestionControl: 'reno',
        idleGapMs: 1000,
        repeats: 3,
        measure: true,
        maxMs: 5000,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      rows.push(...result.rows);
      skipped.push(...result.skipped);
    }
  }
  const bands = RTTS.map((rttMs) => {
    const errors = rows.filter((r) => r.rttMs === rttMs).map((r) => Math.abs(r.errorPct!));
    return {
      rttMs,
      points: errors.length,
      maxAbsErrorPct: Math.max(...errors),
      meanAbsErrorPct: errors.reduce((s, e) => s + e, 0) / errors.length,
    };
  });
  const out = {
    generatedAt: new Date().toISOString(),
    method:
      'two network namespaces joined by a tun delay line (src/netlab), reno senders, 1 s idle gap before each kept-alive request; row = median of 3; error = (model − kernel) / kernel',
    model: describeTransport(rows[0]!.transport).replace(/, endpoint [\d.]+ ms/, ', endpoint measured per link'),
    seconds: (Date.now() - started) / 1e3,
    summary: bands,
    skipped,
    rows: rows.map(({ transport: _t, ...row }) => row),
  };
  writeFileSync(join(repoRoot(), 'bench/results/network-grid.json'), `${JSON.stringify(out, null, 1)}\n`);
  const lines = [
    '| Mbps | RTT ms | bytes | per-request model / kernel ms | error | kept-alive model / kernel ms | error |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const mbps of MBPS)
    for (const rttMs of RTTS)
      for (const bytes of BYTES) {
        const pick = (c: string) => rows.find((r) => r.mbps === mbps && r.rttMs === rttMs && r.bytes === bytes && r.connection === c);
        const a = pick('per-request');
        const b = pick('kept-alive');
        if (!a && !b) continue;
        const cell = (r?: NetcheckRow) =>
          r
            ? [`${r.modelMs.toFixed(1)} / ${r.measuredMs!.toFixed(1)}`, `${r.errorPct! >= 0 ? '+' : ''}${r.errorPct!.toFixed(1)}%`]
            : ['—', ''];
        lines.push(`| ${mbps} | ${rttMs} | ${bytes} | ${cell(a).join(' | ')} | ${cell(b).join(' | ')} |`);
      }
  lines.push('', '| RTT ms | points | max abs error | mean abs error |', '|---|---|---|---|');
  for (const b of bands) lines.push(`| ${b.rttMs} | ${b.points} | ${b.maxAbsErrorPct.toFixed(1)}% | ${b.meanAbsErrorPct.toFixed(1)}% |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
