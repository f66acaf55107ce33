import { formatMs, formatPoints } from '../format';
import { describeScenario } from '../scenarios';
import type { AdvisorReport } from './report';
import { escapeHtml } from './escape';

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 64, right: 24, top: 20, bottom: 48 };

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = Math.floor(Math.log10(min)); decade <= Math.ceil(Math.log10(max)); decade++) {
    for (const step of [1, 2, 5]) {
      const value = step * Math.pow(10, decade);
      if (value >= min && value <= max) ticks.push(value);
    }
  }
  return ticks;
}

function linearTicks(min: number, max: number, count: number): number[] {
  const raw = (max - min) / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/** Latency (p50, log axis) against accuracy, Pareto front joined, constraint lines dashed. */
export function scatterSvg(report: AdvisorReport): string {
  const points = report.candidates.filter((c) => c.accuracy !== null);
  if (points.length === 0) return '<p>No candidate has a measured accuracy, so there is nothing to plot.</p>';
  const latencies = points.map((c) => c.latency.p50Ms);
  const budget = report.constraints.latencyBudgetMs;
  const xs = budget !== undefined && budget > 0 ? [...latencies, budget] : latencies;
  const xMin = Math.max(1e-3, Math.min(...xs)) / 1.3;
  const xMax = Math.max(...xs) * 1.3;
  const ys = points.map((c) => c.accuracy as number).concat(report.accuracyFloor ?? []);
  const yPad = Math.max(0.5, (Math.max(...ys) - Math.min(...ys)) * 0.1);
  const yMin = Math.min(...ys) - yPad;
  const yMax = Math.max(...ys) + yPad;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number): number => MARGIN.left + ((Math.log10(ms) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
  const y = (acc: number): number => MARGIN.top + (1 - (acc - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [];

  for (const tick of logTicks(xMin, xMax)) {
    parts.push(`<line class="grid" x1="${x(tick).toFixed(1)}" x2="${x(tick).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`);
    parts.push(
      `<text class="tick" x="${x(tick).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${escapeHtml(formatMs(tick))}</text>`,
    );
  }
  for (const tick of linearTicks(yMin, yMax, 6)) {
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}"/>`,
    );
    parts.push(
      `<text class="tick" x="${MARGIN.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatPoints(tick))}</text>`,
    );
  }
  if (report.accuracyFloor !== null) {
    const floorY = y(report.accuracyFloor).toFixed(1);
    parts.push(
      `<line class="limit" data-limit="accuracy-floor" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${floorY}" y2="${floorY}"/>`,
    );
    parts.push(
      `<text class="limit-label" x="${MARGIN.left + plotW - 4}" y="${(+floorY - 4).toFixed(1)}" text-anchor="end">accuracy floor ${escapeHtml(formatPoints(report.accuracyFloor))}</text>`,
    );
  }
  if (budget !== undefined && budget > 0) {
    const budgetX = x(budget).toFixed(1);
    parts.push(
      `<line class="limit" data-limit="latency-budget" x1="${budgetX}" x2="${budgetX}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`,
    );
    parts.push(
      `<text class="limit-label" x="${(+budgetX + 4).toFixed(1)}" y="${MARGIN.top + 12}">budget ${escapeHtml(formatMs(budget))} (p95)</text>`,
    );
  }
  const front = points.filter((c) => c.pareto).sort((a, b) => a.latency.p50Ms - b.latency.p50Ms);
  if (front.length > 1) {
    const path = front.map((c) => `${x(c.latency.p50Ms).toFixed(1)},${y(c.accuracy as number).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="front" points="${path}"/>`);
  }
  for (const c of points) {
    const cls = `${c.feasible ? 'feasible' : 'infeasible'}${c.pareto ? ' pareto' : ''}${c.id === report.recommendedId ? ' recommended' : ''}`;
    const tip = `${c.shortName}: ${formatMs(c.latency.p50Ms)} p50, ${formatPoints(c.accuracy as number)} points`;
    parts.push(
      `<circle class="${cls}" cx="${x(c.latency.p50Ms).toFixed(1)}" cy="${y(c.accuracy as number).toFixed(1)}" r="${c.pareto ? 6 : 4}"><title>${escapeHtml(tip)}</title></circle>`,
    );
  }
  parts.push(
    `<text class="axis" x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">end-to-end p50 latency (log scale)</text>`,
  );
  parts.push(
    `<text class="axis" transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">accuracy (points)</text>`,
  );
  const omitted = report.candidates.length - points.length;
  const note = omitted > 0 ? `<p class="note">${omitted} candidate(s) without a measured accuracy are not plotted.</p>` : '';
  return `<svg role="img" aria-label="latency versus accuracy" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>${note}`;
}

/** One horizontal bar chart per scenario: p50 of each variant there, split into compute and network. */
export function tierBarsSvg(report: AdvisorReport): string {
  const scenarios = [...new Set(report.candidates.map((c) => c.scenario))];
  return scenarios
    .map((scenario) => {
      const rows = report.candidates.filter((c) => c.scenario === scenario).sort((a, b) => a.latency.p50Ms - b.latency.p50Ms);
      const max = Math.max(...rows.map((c) => c.latency.p50Ms));
      const names = rows.map((c) => (c.cut ? `${c.label} (cut ${c.cut})` : c.label));
      // Room for the longest label at the tick font (about 6.3 px a character), within bounds.
      const labelW = Math.round(Math.min(460, Math.max(160, Math.max(...names.map((n) => n.length)) * 6.3 + 12)));
      const barW = 400;
      const rowH = 22;
      const height = rows.length * rowH + 8;
      const bars = rows.map((c, i) => {
        const top = 4 + i * rowH;
        const total = max > 0 ? (c.latency.p50Ms / max) * barW : 0;
        const network = max > 0 ? (Math.min(c.latency.networkMs, c.latency.p50Ms) / max) * barW : 0;
        const name = names[i];
        return (
          `<text class="tick" x="${labelW - 6}" y="${top + 15}" text-anchor="end">${escapeHtml(name)}</text>` +
          `<rect class="compute" x="${labelW}" y="${top + 3}" width="${(total - network).toFixed(1)}" height="${rowH - 6}"><title>${escapeHtml(`compute ${formatMs(c.latency.p50Ms - c.latency.networkMs)}`)}</title></rect>` +
          `<rect class="network" x="${(labelW + total - network).toFixed(1)}" y="${top + 3}" width="${network.toFixed(1)}" height="${rowH - 6}"><title>${escapeHtml(`network ${formatMs(c.latency.networkMs)}`)}</title></rect>` +
          `<text class="tick" x="${(labelW + total + 6).toFixed(1)}" y="${top + 15}">${escapeHtml(formatMs(c.latency.p50Ms))}</text>`
        );
      });
      const svg = `<svg role="img" aria-label="p50 per variant, ${escapeHtml(scenario)}" viewBox="0 0 ${labelW + barW + 90} ${height}" width="${labelW + barW + 90}" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars.join('')}</svg>`;
      return `<figure><figcaption>${escapeHtml(scenario)}: ${escapeHtml(describeScenario(scenario))}</figcaption>${svg}</figure>`;
    })
    .join('');
}
