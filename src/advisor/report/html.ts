import { formatInputShapes } from '../../onnx/input-spec';
import { describeTransport, resolveTransport } from '../../benchmark/network';
import { formatBytes, formatMbps, formatMs, formatPoints } from '../format';
import type { AdvisorReport } from './report';
import { scatterSvg, tierBarsSvg } from './charts';
import { escapeBreakable, escapeHtml } from './escape';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde}
.recommendation{background:#eef6ee;border-left:4px solid #2f8f46;padding:.6rem .9rem}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e4e6ee;padding:4px 6px;text-align:left;vertical-align:top}
.table-wrap{overflow-x:auto}svg{max-width:100%;height:auto}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.infeasible{color:#8a8f9c}
.grid{stroke:#eceef4}.tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}
.limit{stroke:#c0392b;stroke-dasharray:5 4}.limit-label{font-size:11px;fill:#c0392b}
.front{fill:none;stroke:#2f6fb5;stroke-width:1.5}
circle.feasible{fill:#2f6fb5}circle.infeasible{fill:#fff;stroke:#9aa0ad}circle.pareto{stroke:#123e6e;stroke-width:2}
circle.recommended{fill:#2f8f46}rect.compute{fill:#2f6fb5}rect.network{fill:#e3a33b}.note{color:#666;font-size:12px}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}`;

/** The paper's two fields, or each of the study's own links: bandwidth each way, RTT, jitter, transport. */
export function describeNetwork(network: AdvisorReport['network']): string {
  return describeLinks(network) + describeRequest(network.request);
}

/** The request the network figures were computed for: its encoding, its bytes, and whether it was assumed. */
export function describeRequest(request: AdvisorReport['network']['request']): string {
  if (!request) return '';
  const assumed = request.assumed
    ? request.encoding === 'encoded'
      ? " (assumed: the dataset's own files or text as they are; set network.requestEncoding)"
      : ' (assumed: the dataset has no encoded form; set network.requestEncoding)'
    : '';
  return `; each request ${Math.round(request.bytes).toLocaleString('en-US')} B, ${request.encoding} with HTTP framing${assumed}${describeDecode(request.decode)}`;
}

/** What turning the input into tensors costs where the model starts, per tier, or why it was not counted. */
function describeDecode(decode: NonNullable<AdvisorReport['network']['request']>['decode']): string {
  if (!decode) return '';
  if (decode.status !== 'measured') return `; turning the input into tensors is not counted: ${decode.reason}`;
  const perTier = (ms: Record<string, number>) =>
    Object.entries(ms)
      .map(([tier, value]) => `${tier} ${formatMs(value)}`)
      .join(', ');
  const held = decode.sampleHostP50Ms > 0 ? `; the sample on the device that runs the model: ${perTier(decode.sampleMs)}` : '';
  return `; input decode, added where the model starts — the request where it arrives: ${perTier(decode.requestMs)}${held} (${decode.method})`;
}

function describeLinks(network: AdvisorReport['network']): string {
  if (!network.links)
    return `mobile–edge ${formatMbps(network.mobileEdgeMbps)}, edge–cloud ${formatMbps(network.edgeCloudMbps)}, RTT ${formatMs(network.rttMs)} (TCP: ${describeTransport(resolveTransport(network.transport))})`;
  const links = network.links.map((l) => {
    const speed =
      l.reverseMbps !== undefined && l.reverseMbps !== l.mbps
        ? `${formatMbps(l.mbps)} ${l.from}→${l.to}, ${formatMbps(l.reverseMbps)} back`
        : formatMbps(l.mbps);
    const jitter = l.jitterMs !== undefined ? ` ± ${formatMs(l.jitterMs)} jitter (costs use the mean RTT)` : '';
    return `${l.from}–${l.to} ${speed}, RTT ${formatMs(l.rttMs)}${jitter} (TCP: ${describeTransport(resolveTransport(l.transport))})`;
  });
  return `${links.join('; ')}; requests start on ${network.origin ?? network.links[0].from}`;
}

function constraintsList(report: AdvisorReport): string {
  const c = report.constraints;
  const items = [
    c.maxAccuracyDrop !== undefined ? `accuracy drop ≤ ${formatPoints(c.maxAccuracyDrop)} points` : null,
    c.latencyBudgetMs !== undefined ? `p95 latency ≤ ${formatMs(c.latencyBudgetMs)}` : null,
    c.maxModelBytes !== undefined ? `model ≤ ${formatBytes(c.maxModelBytes)}` : null,
    c.maxMemoryBytes !== undefined ? `peak memory ≤ ${formatBytes(c.maxMemoryBytes)}` : null,
    c.minFidelity !== undefined ? `fidelity to the baseline ≥ ${c.minFidelity}` : null,
    report.accuracyMetric ? `accuracy measured as ${report.accuracyMetric}` : null,
  ].filter((item): item is string => item !== null);
  const network = describeNetwork(report.network);
  return `<p>Constraints: ${escapeHtml(items.length ? items.join('; ') : 'none')}. Network: ${escapeHtml(network)}.</p>`;
}

function rankedTable(report: AdvisorReport): string {
  const rows = report.candidates.map((c) => {
    const cells = [c.rank ?? '—', c.shortName, c.label, c.cut ? `${c.scenario} #${c.cut}` : c.scenario].map(
      (v) => `<td>${escapeBreakable(v)}</td>`,
    );
    const numbers = [
      formatMs(c.latency.p50Ms),
      formatMs(c.latency.p95Ms),
      c.latency.networkSpanMs
        ? `${formatMs(c.latency.networkMs)} (${formatMs(c.latency.networkSpanMs.lowMs)}–${formatMs(c.latency.networkSpanMs.highMs)}: slow-start restart boundary)`
        : formatMs(c.latency.networkMs),
      c.latency.inputDecodeMs ? formatMs(c.latency.inputDecodeMs) : '—',
      c.accuracy === null ? '—' : formatPoints(c.accuracy),
      formatBytes(c.sizeBytes),
    ].map((v) => `<td class="num">${escapeHtml(v)}</td>`);
    const noisy = c.noisyShare ? `noisy ${Math.round(c.noisyShare * 100)}%` : '';
    const flags = `<td>${[c.pareto ? 'Pareto' : '', noisy].filter(Boolean).join(', ')}</td>`;
    return `<tr class="${c.feasible ? 'feasible' : 'infeasible'}">${cells.join('')}${numbers.join('')}${flags}<td>${escapeHtml(c.explanation)}</td></tr>`;
  });
  const head = ['rank', 'candidate', 'variant', 'scenario', 'p50', 'p95', 'network', 'input decode', 'accuracy', 'size', '', 'why']
    .map((h) => `<th>${h}</th>`)
    .join('');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function statisticsNote(report: AdvisorReport): string {
  const kw = report.kruskalWallis;
  if (!kw) return '<p class="note">Fewer than two feasible candidates: no rank test was needed.</p>';
  return `<p class="note">Kruskal–Wallis across the feasible candidates: H = ${kw.h.toFixed(2)}, df = ${kw.df}, p = ${kw.p.toPrecision(3)} (α = ${report.alpha}).</p>`;
}

function listOrNote(items: string[], empty: string): string {
  return items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : `<p class="note">${escapeHtml(empty)}</p>`;
}

/** Which input shapes and fills the figures above were measured with, one line per distinct set. */
function inputsSection(report: AdvisorReport): string {
  const byRecord = new Map<string, string[]>();
  for (const [variantId, record] of Object.entries(report.inputShapes ?? {})) {
    const key = formatInputShapes(record);
    byRecord.set(key, [...(byRecord.get(key) ?? []), labelOf(report, variantId)]);
  }
  const items = [...byRecord.entries()].map(([shapes, variants]) => (byRecord.size === 1 ? shapes : `${variants.join(', ')}: ${shapes}`));
  const builds = Object.entries(report.buildInputShapes ?? {}).map(
    ([variantId, record]) => `${labelOf(report, variantId)}: ${formatInputShapes(record)}`,
  );
  const built = builds.length ? `<h2>Built and checked at</h2>${listOrNote(builds, '')}` : '';
  return `<h2>Measured at</h2>${listOrNote(items, 'The input shapes of these measurements were not recorded.')}${built}`;
}

/** effort.verify: the recommendation measured on a real stack beside the prediction, or why it was not. */
function verificationSection(report: AdvisorReport): string {
  const v = report.verification;
  if (!v) return '';
  const head = `<h2>Verified on a real stack</h2>`;
  if (v.status !== 'measured' || v.measuredP50Ms === undefined)
    return `${head}<p class="note">Not run: ${escapeHtml(v.reason ?? 'no reason recorded')}. Predicted end-to-end p50 ${v.predictedP50Ms.toFixed(1)} ms.</p>`;
  const gap = `${v.gapPct! >= 0 ? '+' : ''}${v.gapPct!.toFixed(1)} %`;
  const flag = v.flagged ? ' <strong>— gap over 15 %: the prediction does not hold on this link</strong>' : '';
  const link = v.link ? ` over ${v.link.mbps} Mbps / ${v.link.rttMs} ms RTT (${escapeHtml(v.link.transport)})` : '';
  return `${head}<p>${escapeHtml(labelOf(report, v.variantId))} @ ${escapeHtml(v.scenario)}${link}: predicted end-to-end p50 ${v.predictedP50Ms.toFixed(1)} ms (network ${v.predictedNetworkMs.toFixed(1)} ms${v.predictedInputDecodeMs ? `, input decode ${v.predictedInputDecodeMs.toFixed(1)} ms` : ''}), measured ${v.measuredP50Ms.toFixed(1)} ms, gap ${gap}${flag}.</p>${breakdown(v)}${listOrNote(v.notes ?? [], '')}`;
}

function breakdown(v: NonNullable<AdvisorReport['verification']>): string {
  if (v.modelledNetworkMs === undefined || v.serverDecodeP50Ms === undefined || v.serverRunP50Ms === undefined) return '';
  return `<p class="note">Where the measured time went: network ${v.modelledNetworkMs.toFixed(1)} ms (the transfer model for the bytes sent, HTTP headers included), server decode ${v.serverDecodeP50Ms.toFixed(1)} ms, model run ${v.serverRunP50Ms.toFixed(1)} ms, unaccounted ${(v.unaccountedMs ?? 0).toFixed(1)} ms (both ends' HTTP and socket handling).</p>`;
}

function labelOf(report: AdvisorReport, variantId: string): string {
  const candidate = report.candidates.find((c) => c.variantId === variantId) as { shortName?: string; label?: string } | undefined;
  return candidate?.shortName ?? candidate?.label ?? variantId.slice(0, 8);
}

/** A self-contained page: inline CSS and SVG, no scripts, fonts or links to fetch. */
export function reportToHtml(report: AdvisorReport): string {
  const crossovers = report.crossovers.map((c) => c.sentence.charAt(0).toUpperCase() + c.sentence.slice(1) + '.');
  const skipped = report.skipped.map((s) => `${s.variantId} @ ${s.scenario}: ${s.reason}`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(report.title)}</h1>`,
    report.generatedAt ? `<p class="note">Generated ${escapeHtml(report.generatedAt)}</p>` : '',
    `<p class="recommendation">${escapeHtml(report.recommendation ?? 'No candidate meets every constraint; the table says why each was rejected.')}</p>`,
    constraintsList(report),
    verificationSection(report),
    '<h2>Latency against accuracy</h2>',
    scatterSvg(report),
    '<p class="note">Filled: meets every constraint; hollow: rejected; large dots joined by the line: the Pareto front; green: the recommendation; dashed red: the constraints.</p>',
    '<h2>p50 per variant, by scenario</h2>',
    '<p class="note">Blue: compute; orange: computed network time.</p>',
    tierBarsSvg(report),
    '<h2>Ranking</h2>',
    rankedTable(report),
    statisticsNote(report),
    inputsSection(report),
    '<h2>Bandwidth crossovers</h2>',
    listOrNote(crossovers, 'The top recommendation is the same across the whole 1–1000 Mbps sweep of each link.'),
    report.skipped.length ? `<h2>Not measured</h2>${listOrNote(skipped, '')}` : '',
    '<h2>How this was measured</h2>',
    `<p>${escapeHtml(report.methodNote)}</p>`,
    '</body></html>',
  ].join('\n');
}
