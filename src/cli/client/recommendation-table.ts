import { formatBytes, formatMs, formatPoints, formatSignedPoints } from '../../advisor/format';
import type { MeasurementRecord, RecommendationRecord } from '../../studies/results.repository';
import { formatInputShapes } from '../../onnx/input-spec';

/** A row of `GET /v1/studies/:id/recommendations`, as the api writes it. */
export type RecommendationRow = RecommendationRecord;

interface RowDetails {
  shortName?: string;
  latency?: { p50Ms?: number; p95Ms?: number; networkMs?: number };
  accuracyDrop?: number | null;
  sizeBytes?: number;
  /** Set when a measurement behind the row stayed noisy after its retakes. */
  noisyShare?: number | null;
}

interface RowViolation {
  constraint?: string;
}

const HEADERS = ['rank', 'candidate', 'scenario', 'p50', 'p95', 'network', 'accuracy', 'drop', 'size', 'inputs', 'verdict'];

/**
 * Ranked candidates first, then the rejected ones with the constraint each one broke; plain text, aligned. With the
 * study's measurements, an `inputs` column names the input set (A, B, …) each figure ran at, listed under the table.
 */
export function recommendationTable(
  rows: RecommendationRow[],
  measurements: Array<Pick<MeasurementRecord, 'variantId' | 'part' | 'inputShapes'>> = [],
): string {
  const sets: string[] = [];
  const setOf = (variantId: string): string => {
    const m = measurements.find((x) => x.variantId === variantId && x.part !== 'tail' && x.inputShapes);
    if (!m) return '–';
    const text = formatInputShapes(m.inputShapes);
    if (!sets.includes(text)) sets.push(text);
    return String.fromCharCode(65 + sets.indexOf(text));
  };
  const lines = rows.map((row) => {
    const details = (row.details ?? {}) as RowDetails;
    const latency = details.latency ?? {};
    // the api's drop is baseline minus candidate; a gain reads better as "+0.4"
    const drop = details.accuracyDrop;
    return [
      row.rank === null ? '–' : String(row.rank),
      details.shortName ?? row.variantId.slice(0, 8),
      row.scenario,
      formatMs(latency.p50Ms ?? row.latencyMs),
      latency.p95Ms === undefined ? '–' : formatMs(latency.p95Ms),
      latency.networkMs === undefined ? '–' : formatMs(latency.networkMs),
      row.accuracy === null ? '–' : `${formatPoints(row.accuracy)}%`,
      drop === null || drop === undefined ? '–' : formatSignedPoints(-drop),
      details.sizeBytes === undefined ? '–' : formatBytes(details.sizeBytes),
      setOf(row.variantId),
      verdict(row) + (details.noisyShare ? `, noisy ${Math.round(details.noisyShare * 100)}%` : ''),
    ];
  });
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...lines.map((line) => line[i].length)));
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const legend = sets.map((text, i) => `inputs ${String.fromCharCode(65 + i)}: ${text}`);
  if (rows.some((row) => ((row.details ?? {}) as RowDetails).noisyShare))
    legend.push(
      'noisy N%: other work took N% of the measuring cores even after retakes; the figure may be inflated and is ranked as uncertain',
    );
  return [render(HEADERS), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render), ...(legend.length ? ['', ...legend] : [])].join(
    '\n',
  );
}

function verdict(row: RecommendationRow): string {
  if (row.feasible) return row.pareto ? 'ok, pareto' : 'ok';
  const violations = Array.isArray(row.violations) ? (row.violations as RowViolation[]) : [];
  if (violations.length === 0) return 'rejected';
  return `rejected: ${violations.map((v) => v.constraint ?? '?').join(', ')}`;
}
