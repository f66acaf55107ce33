/**
 * The paper's six findings, each judged from our measured figures: a verdict and the numbers behind it. Nothing
 * here is a stored conclusion; each verdict is computed from the two study runs.
 */
import { byChain, INTERFERENCE_MARK, partitionOf, PAPER_CHAINS, type Cell, type FamilyFigures } from './figures';

export interface Finding {
  n: number;
  claim: string;
  verdict: 'reproduced' | 'partly reproduced' | 'not reproduced';
  evidence: string[];
  reason?: string;
}

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(3)} ms`);
/** A cell's p50, marked † when other processes used more than 30% of its measuring cores. */
const msc = (c: Cell | undefined) =>
  c === undefined
    ? 'n/a'
    : `${ms(c.p50Ms)}${c.interference > INTERFERENCE_MARK ? ` † (${(c.interference * 100).toFixed(0)}% foreign CPU)` : ''}`;
const heavy = (...cells: Array<Cell | undefined>) => cells.some((c) => c !== undefined && c.interference > INTERFERENCE_MARK);
const pts = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
const p50 = (f: FamilyFigures, chain: string, scenario: string) => byChain(f, chain)?.scenarios[scenario]?.p50Ms;
const both = (xs: boolean[]) => (xs.every(Boolean) ? 'reproduced' : xs.some(Boolean) ? 'partly reproduced' : 'not reproduced');

function fastest(f: FamilyFigures, scenario: string, chains: readonly string[]): string | undefined {
  return chains.filter((c) => p50(f, c, scenario) !== undefined).sort((a, b) => p50(f, a, scenario)! - p50(f, b, scenario)!)[0];
}

/** Why a family's DSPTQ is missing: the study's build failures, by code (INT8_NOT_FASTER where int8 does not win). */
function notBuilt(f: FamilyFigures): string {
  const codes = (f.failures as Array<{ job?: string; code?: string; message?: string }>)
    .filter((x) => x.job === 'build')
    .map((x) => `${x.code}: ${(x.message ?? '').split(':')[0]}`);
  return codes.length ? codes.join('; ') : 'no build failure recorded';
}

function finding1(families: FamilyFigures[]): Finding {
  const ok: boolean[] = [];
  const evidence = families.flatMap((f) => {
    const acc = (byChain(f, 'identity')?.accuracy ?? NaN) - (byChain(f, 'distilled+sptq')?.accuracy ?? NaN);
    return ['mobile', 'edge'].map((s) => {
      const best = fastest(f, s, PAPER_CHAINS);
      const bestAll = fastest(
        f,
        s,
        f.variants.map((v) => v.chain),
      );
      ok.push(best === 'distilled+sptq');
      const dsptq = Number.isNaN(acc) ? `DSPTQ not built (${notBuilt(f)})` : `DSPTQ accuracy vs identity ${pts(-acc)} points`;
      return `${f.model} ${s}: fastest of the paper's six is ${best} (${ms(p50(f, best!, s))}; DSPTQ ${ms(p50(f, 'distilled+sptq', s))}, identity ${ms(p50(f, 'identity', s))}); fastest of all our variants ${bestAll}; ${dsptq}`;
    });
  });
  return {
    n: 1,
    claim: 'Distillation + SPTQ (DSPTQ) gives the lowest latency on mobile and edge, at a small-to-medium accuracy cost.',
    verdict: both(ok),
    evidence,
  };
}

function finding2(families: FamilyFigures[]): Finding {
  const ok: boolean[] = [];
  const evidence = families.flatMap((f) =>
    ['mobile', 'edge'].map((s) => {
      const d = p50(f, 'distilled', s)!;
      const rivals = ['sptq', 'qat', 'pruned'].map((c) => ({ c, v: p50(f, c, s) })).filter((r) => r.v !== undefined);
      const parts = f.partitions.filter((p) => p.scenario === 'mobile|edge');
      const beats = rivals.every((r) => d < r.v!) && parts.every((p) => d < p.cell.p50Ms);
      ok.push(beats);
      return `${f.model} ${s}: distilled ${ms(d)} vs ${rivals.map((r) => `${r.c} ${ms(r.v)}`).join(', ')}; mobile|edge partitions ${parts.map((p) => `${p.chain} ${ms(p.cell.p50Ms)}`).join(', ')} → ${beats ? 'beats all' : 'does not beat all'}`;
    }),
  );
  return {
    n: 2,
    claim: 'Distillation beats every other single operator on mobile and edge, and beats partitioning.',
    verdict: both(ok),
    evidence,
  };
}

function finding3(families: FamilyFigures[]): Finding {
  const ok: boolean[] = [];
  const shaky: string[] = [];
  const evidence = families.flatMap((f) =>
    ['mobile', 'edge', 'cloud'].map((s) => {
      const id = byChain(f, 'identity')!.scenarios[s];
      const pr = byChain(f, 'pruned')?.scenarios[s];
      if (!id || !pr) return `${f.model} ${s}: not measured`;
      const ratio = pr.p50Ms / id.p50Ms;
      ok.push(ratio > 0.9);
      if (ratio <= 0.9 && heavy(pr, id)) shaky.push(`${f.model} ${s}`);
      const tie = pr.rank !== null && pr.rank === id.rank ? ', same rank (statistical tie)' : `, ranks ${pr.rank} vs ${id.rank}`;
      return `${f.model} ${s}: pruned/identity p50 = ${ratio.toFixed(3)} (${msc(pr)} vs ${msc(id)}${tie})`;
    }),
  );
  const reason = shaky.length
    ? `the comparisons that fail (${shaky.join(', ')}) rest on a † measurement, inflated by other processes on its cores; the others agree within ~10%.`
    : undefined;
  return { n: 3, claim: 'Pruning stored dense gives no speed-up in ONNX Runtime.', verdict: both(ok), evidence, reason };
}

function finding4(families: FamilyFigures[]): Finding {
  const ok: boolean[] = [];
  const shaky: string[] = [];
  const evidence = families.map((f) => {
    const id = byChain(f, 'identity')!;
    const cloud = id.scenarios.cloud;
    const edge = id.scenarios.edge;
    const cloudWins = cloud !== undefined && edge !== undefined && cloud.p50Ms < edge.p50Ms;
    ok.push(f.family === 'text' ? cloudWins : !cloudWins);
    if ((f.family === 'text') !== cloudWins && heavy(cloud, edge)) shaky.push(f.model);
    return `${f.model} (request ${f.requestBytes?.toFixed(0) ?? '?'} bytes): identity edge ${msc(edge)} (network ${ms(edge?.networkMs)}, input decode ${ms(edge?.inputDecodeMs ?? 0)}, compute ${ms(id.computeMs.edge)}) vs cloud ${msc(cloud)} (network ${ms(cloud?.networkMs)}, input decode ${ms(cloud?.inputDecodeMs ?? 0)}, compute ${ms(id.computeMs.cloud)}) → ${cloudWins ? 'cloud' : 'edge'} wins`;
  });
  return {
    n: 4,
    claim: 'Cloud wins for text models (small payloads); edge wins for image models (large payloads over a 1 Mbps link).',
    verdict: both(ok),
    evidence,
    reason:
      (shaky.length
        ? `For ${shaky.join(', ')} the deciding figure is a † measurement (the cloud tier uses both host cores, which other processes shared), so this comparison is not trustworthy in this run. `
        : '') +
      'Our image payload is a 28×28 PNG of about 500 bytes, not a 1–3 MB JPEG, and our cloud tier is 2 CPU threads of the same host (no GPU), so the ' +
      'cloud scenario is decided by a sub-millisecond compute difference against a few milliseconds of 1 Mbps transfer, not by megabytes over the link.',
  };
}

function finding5(families: FamilyFigures[]): Finding {
  const ok: boolean[] = [];
  const evidence = families.map((f) => {
    const s = byChain(f, 'sptq')?.scenarios.mobile;
    const i = byChain(f, 'identity')!.scenarios.mobile;
    ok.push(s !== undefined && s.p50Ms > i.p50Ms);
    return `${f.model} mobile: sptq ${ms(s?.p50Ms)} vs identity ${ms(i.p50Ms)} (×${s ? (s.p50Ms / i.p50Ms).toFixed(2) : '?'})`;
  });
  return {
    n: 5,
    claim: 'On a small CPU budget, SPTQ can be slower than fp32 (it was on the 4-CPU mobile tier for the image models).',
    verdict: both(ok),
    evidence,
    reason:
      'Our mobile tier is the measuring host core with a slowdown factor (tier-scaled), so int8 keeps the speed-up it has on this AVX-512 VNNI core; ' +
      'the paper created a new session per request (model loading inside every number), which may penalise the larger QDQ graphs on a small CPU, and ran on different CPUs.',
  };
}

function finding6(families: FamilyFigures[]): Finding {
  const ok: boolean[] = [];
  const evidence = families.flatMap((f) =>
    ['identity', 'sptq'].flatMap((source) => {
      const p = partitionOf(f, source);
      if (!p) return [];
      const wholes = ['mobile', 'edge'].map((s) => byChain(f, source)?.scenarios[s]).filter((c) => c !== undefined);
      const best = Math.min(...wholes.map((c) => c.p50Ms));
      const bestRank = Math.min(...wholes.map((c) => c.rank ?? Infinity));
      // Faster only when the ranking's statistics separate it (a shared rank is a tie).
      const pays = p.cell.p50Ms < best && p.cell.rank !== null && p.cell.rank < bestRank;
      const smaller = f.requestBytes !== null && p.cutBytes < f.requestBytes;
      ok.push(!pays || smaller);
      return [
        `${f.model} ${p.chain} mobile|edge at ${p.cut}: cut ${p.cutBytes} bytes vs request ${f.requestBytes?.toFixed(0)} bytes; partition ${ms(p.cell.p50Ms)} (rank ${p.cell.rank}) vs best whole-model ${ms(best)} (rank ${bestRank}) → ${pays ? 'pays' : 'does not pay'}`,
      ];
    }),
  );
  return {
    n: 6,
    claim: 'Partitioning pays only when the cut tensor is smaller than the payload.',
    verdict: both(ok),
    evidence,
    reason:
      'Judged as a necessary condition: refuted only by a partition that pays although its cut tensor is larger than the request payload.',
  };
}

export function judge(families: FamilyFigures[]): Finding[] {
  return [finding1, finding2, finding3, finding4, finding5, finding6].map((f) => f(families));
}
