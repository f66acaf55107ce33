import type { InputTensor } from '../../onnx/io-spec';
import { openSession, toFeeds } from '../../onnx/runtime';
import { buildStatic, type CalibratedModel, type StaticConfig } from './static-int8';
import { findWeightedNodes } from './qdq-plan';

export interface LatencyAwareOptions {
  /** Feeds every candidate is timed on (one sample at the study's shapes). */
  inputs: Record<string, InputTensor>;
  /** Intra-op threads of the target (the int8/fp32 trade-off depends on it). */
  threads?: number;
  /** Interleaved rounds per comparison; each round times every model once in turn. */
  rounds?: number;
  /** Wall-clock budget of one round per model, ms; runs per round = budget / a first estimate (1..20). */
  roundBudgetMs?: number;
  /** Relative gain a change must show (median of per-round ratios) to count as faster: noise on a shared host. */
  margin?: number;
  /**
   * fp32/int8 the chosen placement must reach (median of per-round ratios) for the outcome `int8`; default 1:
   * int8 at least as fast as the float model. Below it the outcome is `not-faster`.
   */
  minSpeedup?: number;
  maxTrials?: number;
}

/** One timed comparison of the search. */
export interface LatencyTrial {
  /** What was tried: `full int8`, or `keep <group> in fp32`. */
  change: string;
  nodes: string[];
  /** Median over rounds of the per-round p50 (ms) of the current best and of the candidate. */
  baselineMs: number;
  candidateMs: number;
  /** Median over rounds of baseline/candidate (> 1: the candidate is faster). */
  ratio: number;
  /** [min, max] of the per-round ratios. */
  spread: [number, number];
  kept: boolean;
}

export interface KeptFloat {
  group: string;
  nodes: string[];
  reason: string;
}

export interface LatencyPlacement {
  outcome: 'int8' | 'not-faster';
  threads: number;
  margin: number;
  minSpeedup: number;
  fp32Ms: number;
  fullInt8Ms: number;
  chosenMs: number;
  /** fp32 / chosen: median of per-round ratios, with its spread. */
  speedup: number;
  speedupSpread: [number, number];
  keptFloat: KeptFloat[];
  trials: LatencyTrial[];
  /** The configuration built (exclusions include the latency-kept nodes). */
  config: StaticConfig;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times models interleaved in this process: per round, each model runs `runs` times in turn (after warm-up), so
 * load from other processes hits all of them alike. Returns each model's per-round p50s (ms).
 */
export async function interleavedRoundMedians(
  models: Uint8Array[],
  inputs: Record<string, InputTensor>,
  options: { threads?: number; rounds?: number; roundBudgetMs?: number; runs?: number } = {},
): Promise<number[][]> {
  const sessions = await Promise.all(models.map((bytes) => openSession(bytes, { threads: options.threads ?? 1 })));
  try {
    const feeds = toFeeds(inputs);
    const once = async (k: number): Promise<number> => {
      const start = process.hrtime.bigint();
      await sessions[k].run(feeds);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    let slowest = 0;
    for (let k = 0; k < sessions.length; k++) {
      await once(k);
      slowest = Math.max(slowest, await once(k), await once(k));
    }
    const runs = options.runs ?? Math.max(1, Math.min(20, Math.round((options.roundBudgetMs ?? 100) / Math.max(slowest, 1e-3))));
    const out: number[][] = models.map(() => []);
    for (let round = 0; round < (options.rounds ?? 7); round++) {
      // Alternate the order each round so neither model always runs right after the other's cache footprint.
      const order = round % 2 ? [...sessions.keys()].reverse() : [...sessions.keys()];
      for (const k of order) {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push(await once(k));
        out[k].push(median(times));
      }
    }
    return out;
  } finally {
    for (const s of sessions) await s.release();
  }
}

/** Baseline vs candidate from interleaved round p50s: both medians, and the median and range of per-round baseline/candidate. */
export function compareRounds(
  baseline: number[],
  candidate: number[],
): { baselineMs: number; candidateMs: number; ratio: number; spread: [number, number] } {
  const ratios = baseline.map((b, i) => b / candidate[i]);
  return {
    baselineMs: median(baseline),
    candidateMs: median(candidate),
    ratio: median(ratios),
    spread: [Math.min(...ratios), Math.max(...ratios)],
  };
}

/** Faster by `margin` (median of per-round ratios) and in at least two rounds of three. */
function isFaster(baseline: number[], candidate: number[], margin: number): boolean {
  const ratios = baseline.map((b, i) => b / candidate[i]);
  return median(ratios) >= 1 + margin && ratios.filter((r) => r > 1).length * 3 >= ratios.length * 2;
}

/** The node groups the search toggles: weighted nodes of one kind (op, kernel, depthwise or not). */
export function latencyGroups(calibrated: CalibratedModel, exclude: ReadonlySet<string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const w of findWeightedNodes(calibrated.model.graph!, exclude)) {
    let kind = w.node.opType ?? '?';
    if (kind === 'Conv') {
      const weight = (calibrated.model.graph!.initializer ?? []).find((t) => t.name === w.weight);
      const dims = (weight?.dims ?? []).map(Number);
      const group = Number((w.node.attribute ?? []).find((a) => a.name === 'group')?.i ?? 1);
      kind = `Conv ${dims.slice(2).join('x') || '?'}${group > 1 && dims[1] === 1 ? ' depthwise' : group > 1 ? ' grouped' : ''}`;
    }
    (groups.get(kind) ?? groups.set(kind, []).get(kind)!).push(w.name);
  }
  return groups;
}

/**
 * Latency-aware placement of static int8: times the fully quantized graph against fp32 at the target's thread
 * count, then for each group of weighted nodes (e.g. all depthwise 3x3 convs, all MatMuls) tries keeping it in
 * fp32 and keeps that change when it is faster by `margin` (a greedy search, the accuracy-aware search's idea on
 * latency). The result says `not-faster` when the best placement does not beat fp32 by `margin`: the caller then
 * keeps the float model.
 */
export async function placeLatencyAware(
  fp32: Uint8Array,
  calibrated: CalibratedModel,
  config: StaticConfig,
  options: LatencyAwareOptions,
): Promise<{ bytes: Uint8Array; placement: LatencyPlacement }> {
  const threads = options.threads ?? 1;
  const margin = options.margin ?? 0.03;
  const minSpeedup = options.minSpeedup ?? 1;
  const timing = { threads, rounds: options.rounds ?? 7, roundBudgetMs: options.roundBudgetMs ?? 100 };
  const maxTrials = options.maxTrials ?? 8;
  const trials: LatencyTrial[] = [];
  const keptFloat: KeptFloat[] = [];
  let best = { config, bytes: buildStatic(calibrated, config).bytes };
  // The baseline is the model as given (an fp16 upload is compared as the user would run it, not its fp32 copy).
  const fp32Bytes = fp32;
  const [fpRounds, fullRounds] = await interleavedRoundMedians([fp32Bytes, best.bytes], options.inputs, timing);
  const first = compareRounds(fpRounds, fullRounds);
  trials.push({ change: 'full int8 vs fp32', nodes: [], ...first, kept: true });
  const groups = latencyGroups(calibrated, new Set(config.exclude ?? []));
  const full = best;
  // With one group, keeping it in fp32 is the fp32 model itself: the first comparison already decides.
  if (groups.size > 1) {
    for (const [group, nodes] of [...groups.entries()].slice(0, maxTrials - 1)) {
      const candidate: StaticConfig = { ...best.config, exclude: [...(best.config.exclude ?? []), ...nodes] };
      const remaining = findWeightedNodes(calibrated.model.graph!, new Set(candidate.exclude));
      if (remaining.length === 0) continue;
      const bytes = buildStatic(calibrated, candidate).bytes;
      const [a, b] = await interleavedRoundMedians([best.bytes, bytes], options.inputs, timing);
      let cmp = compareRounds(a, b);
      let kept = isFaster(a, b, margin);
      if (kept) {
        // A gain on a shared host must show twice: a burst of load during one measurement is not a placement.
        const [a2, b2] = await interleavedRoundMedians([best.bytes, bytes], options.inputs, timing);
        kept = isFaster(a2, b2, margin);
        cmp = compareRounds([...a, ...a2], [...b, ...b2]);
      }
      trials.push({ change: `keep ${group} in fp32`, nodes, ...cmp, kept });
      if (kept) {
        keptFloat.push({
          group,
          nodes,
          reason: `int8 was slower here at ${threads} thread(s): ${cmp.baselineMs.toFixed(3)} ms with these ${nodes.length} node(s) in int8, ${cmp.candidateMs.toFixed(3)} ms with them in fp32 (x${cmp.ratio.toFixed(3)}, rounds ${cmp.spread.map((x) => x.toFixed(3)).join('-')}; confirmed by a second measurement)`,
        });
        best = { config: candidate, bytes };
      }
    }
  }
  let final = first;
  if (keptFloat.length > 0) {
    // Last check, three-way: fp32, fully quantized, the placement; the placement stands only if it beats both.
    const [fp, fu, chosen] = await interleavedRoundMedians([fp32Bytes, full.bytes, best.bytes], options.inputs, timing);
    const vsFull = compareRounds(fu, chosen);
    const placementWins = vsFull.ratio >= 1;
    trials.push({
      change: 'placement vs full int8 (final check)',
      nodes: keptFloat.flatMap((k) => k.nodes),
      ...vsFull,
      kept: placementWins,
    });
    if (!placementWins) {
      keptFloat.length = 0;
      best = full;
    }
    final = compareRounds(fp, placementWins ? chosen : fu);
    trials.push({ change: `${placementWins ? 'placement' : 'full int8'} vs fp32 (final check)`, nodes: [], ...final, kept: true });
  }
  return {
    bytes: best.bytes,
    placement: {
      outcome: final.ratio >= minSpeedup ? 'int8' : 'not-faster',
      threads,
      margin,
      minSpeedup,
      fp32Ms: final.baselineMs,
      fullInt8Ms: first.candidateMs,
      chosenMs: final.candidateMs,
      speedup: final.ratio,
      speedupSpread: final.spread,
      keptFloat,
      trials,
      config: best.config,
    },
  };
}
