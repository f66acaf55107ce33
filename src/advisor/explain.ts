import { formatBytes, formatMs, formatPoints, formatSignedPoints } from './format';
import { describeScenario } from './scenarios';
import type { Candidate, Violation } from './types';

type Explained = Omit<Candidate, 'explanation'>;

function where(candidate: Explained): string {
  return describeScenario(candidate.scenario) + (candidate.cut ? ` (cut at ${candidate.cut})` : '');
}

function speedAgainst(candidate: Explained, reference: Explained): string {
  const ratio = reference.latency.p50Ms / candidate.latency.p50Ms;
  const numbers = `(${formatMs(candidate.latency.p50Ms)} vs ${formatMs(reference.latency.p50Ms)} at p50)`;
  const against = `the ${reference.label} ${where(reference)} ${numbers}`;
  if (Math.abs(ratio - 1) < 0.05) return `about as fast as ${against}`;
  return ratio > 1 ? `${ratio.toFixed(1)}× faster than ${against}` : `${(1 / ratio).toFixed(1)}× slower than ${against}`;
}

function accuracyAgainst(candidate: Explained, reference: Explained): string {
  if (candidate.accuracy === null || reference.accuracy === null) return 'accuracy not measured';
  const change = candidate.accuracy - reference.accuracy;
  return formatSignedPoints(change) === '±0' ? 'the same accuracy' : `${formatSignedPoints(change)} points of accuracy`;
}

function tieNote(candidate: Explained, all: readonly Explained[]): string {
  const peers = all.filter((o) => o.rank !== null && o.rank === candidate.rank && o.id !== candidate.id);
  if (peers.length === 0) return '';
  const names =
    peers
      .slice(0, 3)
      .map((p) => p.shortName)
      .join(', ') + (peers.length > 3 ? ` and ${peers.length - 3} more` : '');
  return `; statistically tied at rank ${candidate.rank} with ${names}`;
}

function violationPhrase(v: Violation): string {
  switch (v.constraint) {
    case 'maxAccuracyDrop':
      return v.actual === null
        ? `has no accuracy measurement to check against the ${formatPoints(v.limit)}-point limit`
        : `loses ${formatPoints(v.actual)} points of accuracy, ${formatPoints(v.by ?? 0)} more than the ${formatPoints(v.limit)} allowed`;
    case 'latencyBudgetMs':
      return `takes ${formatMs(v.actual ?? 0)} at p95, ${formatMs(v.by ?? 0)} over the ${formatMs(v.limit)} budget`;
    case 'maxModelBytes':
      return `is ${formatBytes(v.actual ?? 0)}, ${formatBytes(v.by ?? 0)} over the ${formatBytes(v.limit)} size limit`;
    case 'minFidelity':
      return v.actual === null
        ? `has no fidelity measurement to check against the ${v.limit} minimum`
        : `follows the baseline with fidelity ${v.actual.toFixed(3)}, below the ${v.limit} minimum`;
    case 'maxMemoryBytes':
      return `peaks at ${formatBytes(v.actual ?? 0)} of memory, ${formatBytes(v.by ?? 0)} over the ${formatBytes(v.limit)} limit`;
  }
}

/** A noisy figure says so in its sentence: what share of the cores other work took, and that its interval was widened. */
function noiseNote(candidate: Explained): string {
  if (!candidate.noisyShare) return '';
  return ` (noisy: other work took ${Math.round(candidate.noisyShare * 100)}% of the measuring cores; its p50 may be lower, so it is ranked as uncertain)`;
}

/** One plain sentence built from the numbers: what to run and where, and what it buys or why it was rejected. */
export function explain(candidate: Explained, reference: Explained | null, all: readonly Explained[]): string {
  if (!candidate.feasible) {
    const reasons = candidate.violations.map(violationPhrase);
    const joined = reasons.length > 1 ? `${reasons.slice(0, -1).join(', ')} and ${reasons[reasons.length - 1]}` : reasons[0];
    return `Rejected: the ${candidate.label} ${where(candidate)} ${joined}.`;
  }
  const head = `Run the ${candidate.label} ${where(candidate)}`;
  if (!reference || reference.id === candidate.id) {
    const accuracy = candidate.accuracy === null ? 'accuracy not measured' : `${formatPoints(candidate.accuracy)} points of accuracy`;
    return `${head}: ${formatMs(candidate.latency.p50Ms)} at p50 end to end, ${accuracy}${reference ? ', the reference point' : ''}${tieNote(candidate, all)}${noiseNote(candidate)}.`;
  }
  return `${head}: ${speedAgainst(candidate, reference)}, ${accuracyAgainst(candidate, reference)}${tieNote(candidate, all)}${noiseNote(candidate)}.`;
}
