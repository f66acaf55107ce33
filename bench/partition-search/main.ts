/**
 * Partition search on the image teacher, mobile|edge at 200 and 10 Mbps: every candidate cut measured for real
 * (head on mobile, tail on edge, with the runner) against the search (profiles + link model, best 3 measured).
 * Reports the searched cut's latency against the best measured one, the measurement counts, and the estimate error.
 * Run: npx tsx bench/partition-search/main.ts   (timings are this host's; the host is shared, so expect noise)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLinks, scenarioNetworkMs, type Link } from '../../src/benchmark/network';
import { repoRoot } from '../../src/common/paths';
import { loadModel } from '../../src/onnx';
import { listCuts, measureSplit, runnerInputs, searchPartition } from '../../src/operators/partition';

const MODEL = join(repoRoot(), 'test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx');
const BANDWIDTHS = [200, 10];
const RUNS = { runs: 20, warmup: 3 };

const linksAt = (mbps: number): Link[] => defaultLinks().map((l) => (l.from === 'mobile' && l.to === 'edge' ? { ...l, mbps } : l));
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

async function main(): Promise<void> {
  const model = loadModel(readFileSync(MODEL));
  const { cuts, probe } = await listCuts(model);
  const inputs = runnerInputs(model);
  const work = mkdtempSync(join(tmpdir(), 'bench-partition-'));
  const started = Date.now();
  const exhaustive: Array<{ id: string; transferBytes: number; headMs: number; tailMs: number }> = [];
  try {
    for (const [i, cut] of cuts.entries()) {
      const split = await measureSplit(model, cut.tensors, probe, 'mobile', 'edge', work, inputs, RUNS);
      exhaustive.push({ id: cut.id, transferBytes: cut.transferBytes, headMs: split.headMs, tailMs: split.tailMs });
      process.stderr.write(
        `measured ${i + 1}/${cuts.length} ${cut.id}: head ${split.headMs.toFixed(3)} + tail ${split.tailMs.toFixed(3)} ms\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const exhaustiveSeconds = (Date.now() - started) / 1000;
  const responseBytes = 10 * 4;
  const scenarios = [];
  for (const mbps of BANDWIDTHS) {
    const links = linksAt(mbps);
    const e2e = (c: { transferBytes: number; headMs: number; tailMs: number }): number =>
      c.headMs +
      c.tailMs +
      scenarioNetworkMs(
        { kind: 'partition', head: 'mobile', tail: 'edge', cutBytes: c.transferBytes },
        { requestBytes: 0, responseBytes },
        links,
      ).totalMs;
    const measured = exhaustive.map((c) => ({ ...c, e2eMs: e2e(c) })).sort((a, b) => a.e2eMs - b.e2eMs);
    const t0 = Date.now();
    const search = await searchPartition(MODEL, { from: 'mobile', to: 'edge', links, topK: 3, responseBytes, ...RUNS });
    const searchSeconds = (Date.now() - t0) / 1000;
    const searchedInExhaustive = measured.find((m) => m.id === search.best.id)!;
    const estimateVsExhaustive = search.candidates.map((c) => {
      const m = measured.find((x) => x.id === c.id)!;
      const computeEstimate = c.headMs + c.tailMs;
      const computeMeasured = m.headMs + m.tailMs;
      return {
        id: c.id,
        estimateMs: c.e2eMs,
        measuredMs: m.e2eMs,
        errorPct: ((c.e2eMs - m.e2eMs) / m.e2eMs) * 100,
        computeEstimateMs: computeEstimate,
        computeMeasuredMs: computeMeasured,
        computeErrorPct: ((computeEstimate - computeMeasured) / computeMeasured) * 100,
      };
    });
    const absErrors = estimateVsExhaustive.map((e) => Math.abs(e.errorPct));
    const absComputeErrors = estimateVsExhaustive.map((e) => Math.abs(e.computeErrorPct));
    scenarios.push({
      mbps,
      cuts: cuts.length,
      bestMeasured: { id: measured[0].id, e2eMs: measured[0].e2eMs },
      searched: { id: search.best.id, e2eMsInSearch: search.best.e2eMs, e2eMsInExhaustive: searchedInExhaustive.e2eMs },
      searchedVsBestPct: ((searchedInExhaustive.e2eMs - measured[0].e2eMs) / measured[0].e2eMs) * 100,
      measurements: { exhaustive: 2 * cuts.length, search: search.measurements, ratio: (2 * cuts.length) / search.measurements },
      seconds: { exhaustive: exhaustiveSeconds, search: searchSeconds },
      estimateError: {
        topKInSearch: search.estimateError,
        allCutsVsExhaustive: { meanAbsPct: absErrors.reduce((s, e) => s + e, 0) / absErrors.length, maxAbsPct: Math.max(...absErrors) },
        computeOnlyVsExhaustive: {
          meanAbsPct: absComputeErrors.reduce((s, e) => s + e, 0) / absComputeErrors.length,
          maxAbsPct: Math.max(...absComputeErrors),
        },
      },
      whole: search.whole,
      topMeasured: measured
        .slice(0, 5)
        .map((m) => ({ id: m.id, e2eMs: m.e2eMs, headMs: m.headMs, tailMs: m.tailMs, transferBytes: m.transferBytes })),
      searchMeasured: search.measured.map((m) => ({ id: m.id, estimateMs: m.estimateMs, measuredMs: m.e2eMs, errorPct: m.errorPct })),
      estimateVsExhaustive,
    });
  }
  for (const s of scenarios) {
    process.stdout.write(
      [
        `mobile|edge at ${s.mbps} Mbps, ${s.cuts} candidate cuts (image teacher)`,
        `  best measured   ${s.bestMeasured.e2eMs.toFixed(3)} ms  ${s.bestMeasured.id}`,
        `  searched        ${s.searched.e2eMsInExhaustive.toFixed(3)} ms  ${s.searched.id}  (${pct(s.searchedVsBestPct)} vs best; ${s.searched.e2eMsInSearch.toFixed(3)} ms in the search's own measurement)`,
        `  measurements    exhaustive ${s.measurements.exhaustive}, search ${s.measurements.search} (${s.measurements.ratio.toFixed(1)}x fewer)`,
        `  estimate error  top-3 vs their measurement: mean ${s.estimateError.topKInSearch!.meanAbsPct.toFixed(1)}%, max ${s.estimateError.topKInSearch!.maxAbsPct.toFixed(1)}%; all cuts vs exhaustive: mean ${s.estimateError.allCutsVsExhaustive.meanAbsPct.toFixed(1)}%, max ${s.estimateError.allCutsVsExhaustive.maxAbsPct.toFixed(1)}%`,
        `  compute only    head+tail estimate vs measured, all cuts: mean ${s.estimateError.computeOnlyVsExhaustive.meanAbsPct.toFixed(1)}%, max ${s.estimateError.computeOnlyVsExhaustive.maxAbsPct.toFixed(1)}%`,
        `  whole model     on mobile ${s.whole.onFromMs?.toFixed(3) ?? 'out of memory'} ms, on edge ${s.whole.onToMs?.toFixed(3) ?? 'out of memory'} ms (incl. network)`,
        '',
      ].join('\n'),
    );
  }
  mkdirSync(join(repoRoot(), 'bench/results'), { recursive: true });
  const out = join(repoRoot(), 'bench/results/partition-search.json');
  writeFileSync(
    out,
    JSON.stringify(
      {
        model: 'fashion-resnet-identity',
        host: 'shared 2-core VM; noisy',
        measuredAt: new Date().toISOString(),
        runs: RUNS,
        scenarios,
        exhaustive,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
