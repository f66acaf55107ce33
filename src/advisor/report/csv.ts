import type { AdvisorReport } from './report';
import type { Violation } from '../types';

const COLUMNS = [
  'rank',
  'id',
  'variant_id',
  'label',
  'operators',
  'scenario',
  'cut',
  'tiers',
  'p50_ms',
  'p95_ms',
  'mean_ms',
  'network_ms',
  'accuracy',
  'accuracy_drop',
  'size_bytes',
  'peak_memory_bytes',
  'feasible',
  'pareto',
  'violations',
  'explanation',
  'noisy_share',
  // added after noisy_share so existing column positions hold
  'input_decode_ms',
] as const;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab/CR) as a formula; user-named things get a
 * leading apostrophe so a model called "=HYPERLINK(…)" stays text (OWASP's CSV-injection advice).
 */
function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling inner quotes. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function violationText(v: Violation): string {
  return `${v.constraint}: ${v.actual === null ? 'unknown' : +v.actual.toPrecision(6)} > ${v.limit}`;
}

/** One row per candidate, header first, CRLF line ends as RFC 4180 asks. */
export function reportToCsv(report: AdvisorReport): string {
  const rows = report.candidates.map((c) => {
    const text = (s: string): string => neutralizeFormula(s);
    const values: Record<(typeof COLUMNS)[number], string | number | boolean | null | undefined> = {
      rank: c.rank,
      id: text(c.id),
      variant_id: text(c.variantId),
      label: text(c.label),
      operators: text(c.operators.join('+')),
      scenario: c.scenario,
      cut: c.cut === undefined ? undefined : text(c.cut),
      tiers: c.tiers.join('|'),
      p50_ms: +c.latency.p50Ms.toFixed(3),
      p95_ms: +c.latency.p95Ms.toFixed(3),
      mean_ms: +c.latency.meanMs.toFixed(3),
      network_ms: +c.latency.networkMs.toFixed(3),
      input_decode_ms: +(c.latency.inputDecodeMs ?? 0).toFixed(3),
      accuracy: c.accuracy,
      accuracy_drop: c.accuracyDrop === null ? null : +c.accuracyDrop.toFixed(4),
      size_bytes: c.sizeBytes,
      peak_memory_bytes: c.peakMemoryBytes,
      feasible: c.feasible,
      pareto: c.pareto,
      violations: c.violations.map(violationText).join('; '),
      explanation: text(c.explanation),
      noisy_share: c.noisyShare === undefined ? undefined : +c.noisyShare.toFixed(3),
    };
    return COLUMNS.map((column) => csvField(values[column])).join(',');
  });
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
