import { networkOrigin } from './scenarios';
import { buildDrafts, draftNetworkCost, type CandidateDraft } from './candidates';
import { explain } from './explain';
import { findViolations } from './feasibility';
import { groupByLatency } from './grouping';
import { paretoFront } from './pareto';
import { addConstant, resolveNetwork } from './scenarios';
import { mean } from './statistics';
import { validateStudyInput } from './validate';
import type { Candidate, Ranking, StudyInput, VariantInfo } from './types';

const DEFAULT_ALPHA = 0.05;

export function accuracyDropOf(variant: VariantInfo, baseline: VariantInfo): number | null {
  if (variant.id === baseline.id) return 0;
  if (!variant.accuracy || !baseline.accuracy) return null;
  return baseline.accuracy.value - variant.accuracy.value;
}

/** Feasible first, p50 ascending; equal p50s go to the more accurate (unknown accuracy last). */
function byLatencyThenAccuracy(a: Candidate, b: Candidate): number {
  return a.latency.p50Ms - b.latency.p50Ms || (b.accuracy ?? -Infinity) - (a.accuracy ?? -Infinity) || a.id.localeCompare(b.id);
}

/** Inside a shared rank latency is statistically the same, so accuracy decides the order. */
function byRankThenAccuracy(a: Candidate, b: Candidate): number {
  return (
    (a.rank ?? Infinity) - (b.rank ?? Infinity) || (b.accuracy ?? -Infinity) - (a.accuracy ?? -Infinity) || byLatencyThenAccuracy(a, b)
  );
}

/**
 * The advisor: composes end-to-end latency per (variant, scenario), checks every constraint, marks the Pareto
 * front, ranks the feasible candidates with statistical ties, and explains each one in a sentence.
 */
export function rankCandidates(input: StudyInput): Ranking {
  validateStudyInput(input);
  const network = resolveNetwork(input.network);
  const constraints = input.constraints ?? {};
  const alpha = input.alpha ?? DEFAULT_ALPHA;
  const baseline = input.variants.find((v) => v.id === input.baselineVariantId) as VariantInfo;
  const { drafts, skipped } = buildDrafts(input);

  const samplesById = new Map<string, Float64Array>();
  const candidates = drafts.map((draft: CandidateDraft): Candidate => {
    const networkCost = draftNetworkCost(draft, input.payloads, network);
    const networkMs = networkCost.totalMs;
    const fixedMs = networkMs + draft.inputDecodeMs;
    samplesById.set(draft.id, addConstant(draft.computeSamples, fixedMs));
    const accuracyDrop = accuracyDropOf(draft.variant, baseline);
    const latency = {
      p50Ms: draft.computeP50Ms + fixedMs,
      p95Ms: draft.computeP95Ms + fixedMs,
      meanMs: mean(draft.computeSamples) + fixedMs,
      networkMs,
      ...(networkCost.span ? { networkSpanMs: networkCost.span } : {}),
      ...(draft.inputDecodeMs > 0 ? { inputDecodeMs: draft.inputDecodeMs } : {}),
      computeP50Ms: draft.computeP50Ms,
      samples: draft.computeSamples.length,
    };
    const violations = findViolations(
      {
        accuracyDrop,
        p95Ms: latency.p95Ms,
        sizeBytes: draft.variant.sizeBytes,
        peakMemoryBytes: draft.peakMemoryBytes,
        fidelity: draft.variant.id === baseline.id ? 1 : (draft.variant.fidelity ?? null),
      },
      constraints,
    );
    return {
      id: draft.id,
      variantId: draft.variant.id,
      label: draft.variant.label,
      operators: draft.variant.operators,
      shortName: draft.shortName,
      scenario: draft.scenario,
      ...(draft.cut ? { cut: draft.cut } : {}),
      tiers: draft.tiers,
      latency,
      accuracy: draft.variant.accuracy?.value ?? null,
      accuracyDrop,
      sizeBytes: draft.variant.sizeBytes,
      peakMemoryBytes: draft.peakMemoryBytes,
      feasible: violations.length === 0,
      violations,
      pareto: false,
      rank: null,
      ...(draft.noiseShare > 0 ? { noisyShare: draft.noiseShare } : {}),
      explanation: '',
    };
  });

  paretoFront(candidates.map((c) => ({ latencyMs: c.latency.p50Ms, accuracy: c.accuracy }))).forEach((onFront, i) => {
    candidates[i].pareto = onFront;
  });

  const feasible = candidates.filter((c) => c.feasible).sort(byLatencyThenAccuracy);
  const groups = groupByLatency(
    feasible.map((c) => ({
      id: c.id,
      samples: samplesById.get(c.id) as Float64Array,
      noisyShare: c.noisyShare ?? 0,
      fixedMs: c.latency.networkMs + (c.latency.inputDecodeMs ?? 0),
    })),
    alpha,
  );
  feasible.forEach((c, i) => {
    c.rank = groups.ranks[i];
    const comparison = groups.comparisons[i];
    if (comparison) c.comparison = comparison;
  });

  const ordered = [...feasible.sort(byRankThenAccuracy), ...candidates.filter((c) => !c.feasible).sort(byLatencyThenAccuracy)];
  const reference =
    candidates.find((c) => c.id === `${baseline.id}@${networkOrigin(network)}`) ??
    [...candidates].filter((c) => c.variantId === baseline.id).sort(byLatencyThenAccuracy)[0] ??
    null;
  for (const c of ordered) c.explanation = explain(c, reference, ordered);

  const baselineAccuracy = baseline.accuracy?.value;
  return {
    baselineVariantId: baseline.id,
    network,
    constraints,
    accuracyFloor:
      baselineAccuracy !== undefined && constraints.maxAccuracyDrop !== undefined ? baselineAccuracy - constraints.maxAccuracyDrop : null,
    alpha,
    candidates: ordered,
    recommendedId: feasible[0]?.id ?? null,
    referenceId: reference?.id ?? null,
    kruskalWallis: groups.kruskalWallis ? { h: groups.kruskalWallis.h, df: groups.kruskalWallis.df, p: groups.kruskalWallis.p } : null,
    skipped,
  };
}
