import { findCrossovers } from '../../../advisor/crossovers';
import { rankCandidates } from '../../../advisor/rank';
import { DEFAULT_NETWORK } from '../../../advisor/scenarios';
import type { Candidate, Constraints, Crossover, LinkName, NetworkProfile, Ranking, StudyInput } from '../../../advisor/types';
import { bytes, field, h, ms, svg, table } from '../lib/dom';
import type { TensorSpecView } from '../lib/types';

/** What GET /v1/studies/:id/decision (and a share link's data) returns: the advisor's own input, as stored. */
export interface DecisionData {
  studyId: string;
  input: StudyInput;
  crossovers: Crossover[];
  modelInputs: TensorSpecView[];
  measurements: Array<{
    variantId: string;
    tier: string;
    part: string;
    cut: string | null;
    p50Ms: number;
    p90Ms: number;
    p50CiLowMs: number;
    p50CiHighMs: number;
    coldStartMs: number;
    envelope: unknown;
    method: string;
  }>;
}

/** One link's controls: its name (as crossovers name it), a label, and where its figures live in the network. */
export interface LinkControl {
  link: LinkName;
  label: string;
  mbps(n: NetworkProfile): number;
  setMbps(n: NetworkProfile, mbps: number): void;
  rtt(n: NetworkProfile): number;
  setRtt(n: NetworkProfile, ms: number): void;
}

/** The paper's two links, whose figures are the network's own fields. */
export const LINKS: LinkControl[] = [
  {
    link: 'mobile-edge',
    label: 'mobile–edge',
    mbps: (n) => n.mobileEdgeMbps,
    setMbps: (n, v) => (n.mobileEdgeMbps = v),
    rtt: (n) => n.mobileEdgeRttMs ?? n.rttMs,
    setRtt: (n, v) => (n.mobileEdgeRttMs = v),
  },
  {
    link: 'edge-cloud',
    label: 'edge–cloud',
    mbps: (n) => n.edgeCloudMbps,
    setMbps: (n, v) => (n.edgeCloudMbps = v),
    rtt: (n) => n.edgeCloudRttMs ?? n.rttMs,
    setRtt: (n, v) => (n.edgeCloudRttMs = v),
  },
];

/**
 * The controls of a network: the paper's two links, or one per link of the study's own topology (its bandwidth
 * from → to moves, the reverse direction keeps its ratio, as the crossover sweep does).
 */
export function linkControls(network: NetworkProfile): LinkControl[] {
  if (!network.links) return LINKS;
  return network.links.map((l, i) => ({
    link: `${l.from}-${l.to}`,
    label: `${l.from}–${l.to}`,
    mbps: (n) => n.links![i].mbps,
    setMbps: (n, v) => {
      const old = n.links![i];
      n.links![i] = { ...old, mbps: v, ...(old.reverseMbps !== undefined ? { reverseMbps: (old.reverseMbps * v) / old.mbps } : {}) };
    },
    rtt: (n) => n.links![i].rttMs,
    setRtt: (n, v) => (n.links![i] = { ...n.links![i], rttMs: v }),
  }));
}

/** The study's network with each link's RTT spelled out, so each RTT slider owns one link's figure. */
function studyNetwork(data: DecisionData): NetworkProfile {
  const n: NetworkProfile = { ...DEFAULT_NETWORK, ...data.input.network };
  if (n.links) return { ...n, links: n.links.map((l) => ({ ...l })) };
  return { ...n, mobileEdgeRttMs: n.mobileEdgeRttMs ?? n.rttMs, edgeCloudRttMs: n.edgeCloudRttMs ?? n.rttMs };
}
/** The bandwidth sliders are logarithmic: position = 100 × log10(Mbps), 1 Mbps to 1 Gbps (the crossover sweep's range). */
const SLIDER_MAX = 300;
export const mbpsAt = (position: number) => Math.pow(10, position / 100);
export const positionOf = (mbps: number) => Math.round(100 * Math.log10(mbps));
/** A p50 whose interval is wider than this share of it is flagged noisy in the hover details. */
const NOISY_SHARE = 0.1;

export interface WhatIf {
  ranking: Ranking;
  crossovers: Crossover[];
}

/** The advisor itself, run in the browser: the same rankCandidates and findCrossovers the study's advise step ran. */
export function whatIf(input: StudyInput, network: NetworkProfile, constraints: Constraints): WhatIf {
  const changed: StudyInput = { ...input, network, constraints };
  return { ranking: rankCandidates(changed), crossovers: findCrossovers(changed) };
}

export function decisionView(data: DecisionData): HTMLElement {
  const network = studyNetwork(data);
  const constraints: Constraints = { ...(data.input.constraints ?? {}) };
  const top = h('p', { class: 'sentence', id: 'whatif-top', 'aria-live': 'polite' });
  const ranking = h('div', { id: 'whatif-ranking' });
  const chart = h('div', { class: 'chart', id: 'scatter' });
  const crossoverList = h('ul', { id: 'whatif-crossovers', class: 'small' });
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', id: 'scatter-tip', hidden: true });
  const controls = linkControls(network);
  const sliders = controls.map((l) => linkSlider(l, network, () => recompute()));
  const rtts = controls.map((l) => rttSlider(l, network, () => recompute()));
  const constraintInput = (name: keyof Constraints, label: string, scale: number) => {
    const current = constraints[name];
    const input = h('input', {
      type: 'number',
      min: 0,
      step: 'any',
      id: `whatif-${name}`,
      value: current === undefined ? '' : String(current / scale),
      placeholder: 'none',
    });
    input.addEventListener('input', () => {
      const v = input.value.trim() === '' ? undefined : Number(input.value) * scale;
      if (v === undefined || Number.isNaN(v)) delete constraints[name];
      else constraints[name] = v;
      recompute();
    });
    return field(label, input);
  };
  const reset = h('button', { type: 'button', class: 'secondary' }, 'Back to the study’s network');
  reset.addEventListener('click', () => {
    Object.assign(network, studyNetwork(data));
    // the controls read the links through the network object, so they follow the reset
    for (const s of [...sliders, ...rtts]) s.sync();
    recompute();
  });

  function recompute(): void {
    tooltip.hidden = true; // its point is redrawn: hover again for the new figures
    const result = whatIf(data.input, { ...network }, { ...constraints });
    const best = result.ranking.candidates.find((c) => c.id === result.ranking.recommendedId);
    top.dataset.id = best?.id ?? '';
    top.textContent = best ? `${best.shortName}: ${best.explanation}` : 'No candidate meets every constraint on this network.';
    ranking.replaceChildren(rankingTable(result.ranking));
    chart.replaceChildren(scatter(result.ranking.candidates, data, tooltip));
    for (const s of sliders) s.marks(result.crossovers.filter((c) => c.link === s.link));
    crossoverList.replaceChildren(
      ...(result.crossovers.length
        ? result.crossovers.map((c) => h('li', { 'data-link': c.link, 'data-mbps': c.mbps.toFixed(3) }, c.sentence))
        : [h('li', { class: 'muted' }, 'No crossover between 1 Mbps and 1 Gbps: the leader is the same on either link.')]),
    );
  }
  recompute();

  return h('div', { id: 'decision' }, [
    h('section', { 'aria-labelledby': 'whatif-title' }, [
      h('h2', { id: 'whatif-title' }, 'What if the network or the constraints were different?'),
      h(
        'p',
        { class: 'muted small' },
        'Everything below is recomputed in this page by the advisor’s own code from the study’s stored measurements: end-to-end latency, feasibility, ranks and crossovers.',
      ),
      h(
        'div',
        { class: 'controls' },
        controls.map((l, i) => h('fieldset', { class: 'link' }, [h('legend', {}, `${l.label} link`), sliders[i].element, rtts[i].element])),
      ),
      h('fieldset', {}, [
        h('legend', {}, 'constraints'),
        h('div', { class: 'grid' }, [
          constraintInput('maxAccuracyDrop', 'max accuracy drop (points)', 1),
          constraintInput('latencyBudgetMs', 'latency budget, p95 (ms)', 1),
          constraintInput('maxModelBytes', 'max model size (MB)', 1e6),
          constraintInput('maxMemoryBytes', 'max memory (MB)', 1e6),
        ]),
      ]),
      h('div', { class: 'row' }, reset),
      h('h3', {}, 'Top recommendation'),
      top,
      h('h3', {}, 'Crossovers'),
      crossoverList,
      h('h3', {}, 'Latency and accuracy'),
      chart,
      tooltip,
      h('h3', {}, 'Ranking'),
      ranking,
    ]),
    distributions(data),
  ]);
}

interface LinkSlider {
  link: LinkName;
  element: HTMLElement;
  sync(): void;
  marks(crossovers: Crossover[]): void;
}

/** A link's round-trip time, 0–200 ms in half-millisecond steps. */
function rttSlider(l: LinkControl, network: NetworkProfile, changed: () => void): { element: HTMLElement; sync(): void } {
  const id = `rtt-${l.link}`;
  const input = h('input', { type: 'range', id, min: 0, max: 200, step: 0.5, 'aria-describedby': `${id}-value` });
  const value = h('output', { id: `${id}-value`, for: id });
  const sync = () => {
    input.value = String(l.rtt(network));
    value.textContent = `${input.value} ms`;
  };
  input.addEventListener('input', () => {
    l.setRtt(network, Number(input.value));
    value.textContent = `${input.value} ms`;
    changed();
  });
  sync();
  return { element: h('div', { class: 'slider' }, [h('label', { for: id }, `${l.label} RTT`), input, value]), sync };
}

function linkSlider(l: LinkControl, network: NetworkProfile, changed: () => void): LinkSlider {
  const id = `bw-${l.link}`;
  const list = h('datalist', { id: `${id}-marks` });
  const input = h('input', { type: 'range', id, min: 0, max: SLIDER_MAX, step: 1, list: `${id}-marks`, 'aria-describedby': `${id}-value` });
  input.setAttribute('list', `${id}-marks`);
  const value = h('output', { id: `${id}-value`, for: id });
  const ticks = h('div', { class: 'ticks', 'aria-hidden': 'true' });
  const show = () => {
    const mbps = l.mbps(network);
    value.textContent = `${mbps >= 100 ? mbps.toFixed(0) : mbps.toPrecision(3)} Mbps`;
  };
  input.addEventListener('input', () => {
    l.setMbps(network, mbpsAt(Number(input.value)));
    show();
    changed();
  });
  const sync = () => {
    input.value = String(Math.min(SLIDER_MAX, Math.max(0, positionOf(l.mbps(network)))));
    show();
  };
  sync();
  return {
    link: l.link,
    element: h('div', { class: 'slider' }, [h('label', { for: id }, `${l.label} bandwidth`), input, value, ticks, list]),
    sync,
    marks(crossovers) {
      list.replaceChildren(
        ...crossovers.map((c) => h('option', { value: String(positionOf(c.mbps)), label: `${c.mbps.toPrecision(3)} Mbps` })),
      );
      ticks.replaceChildren(
        ...crossovers.map((c) => {
          const mark = h('span', { class: 'tick', title: c.sentence, 'data-mbps': c.mbps.toFixed(3) }, `▲ ${c.mbps.toPrecision(3)}`);
          mark.style.left = `${((100 * Math.log10(c.mbps)) / SLIDER_MAX) * 100}%`;
          return mark;
        }),
      );
    },
  };
}

function rankingTable(ranking: Ranking): HTMLElement {
  const wrap = table(
    ['rank', 'candidate', 'scenario', 'p50', 'p95', 'network', 'accuracy', 'size', 'feasible'],
    ranking.candidates.map((c) => [
      c.rank === null ? '–' : String(c.rank),
      c.shortName,
      c.scenario + (c.cut ? ` @ ${c.cut}` : ''),
      ms(c.latency.p50Ms),
      ms(c.latency.p95Ms),
      ms(c.latency.networkMs),
      c.accuracy === null ? '–' : c.accuracy.toFixed(2),
      bytes(c.sizeBytes),
      c.feasible ? 'yes' : `no: ${c.violations.map((v) => v.constraint).join(', ')}`,
    ]),
    'No candidates.',
    'Ranking on this network',
  );
  const rows = wrap.querySelectorAll('tbody tr');
  ranking.candidates.forEach((c, i) => {
    (rows[i] as HTMLElement).dataset.id = c.id;
    if (c.id === ranking.recommendedId) rows[i].classList.add('top');
  });
  return wrap;
}

const W = 640;
const H = 310;
const PAD = { left: 56, right: 16, top: 12, bottom: 48 };

function logScale(values: number[], from: number, to: number): (v: number) => number {
  const lo = Math.log10(Math.max(1e-3, Math.min(...values)) / 1.3);
  const hi = Math.log10(Math.max(...values) * 1.3);
  return (v) => from + ((Math.log10(Math.max(1e-3, v)) - lo) / (hi - lo || 1)) * (to - from);
}

/** Latency (p50, log) against accuracy; the Pareto front as a line; hover or focus a point for its details. */
function scatter(candidates: Candidate[], data: DecisionData, tooltip: HTMLElement): SVGElement {
  const x = logScale(
    candidates.map((c) => c.latency.p50Ms),
    PAD.left,
    W - PAD.right,
  );
  const known = candidates.map((c) => c.accuracy).filter((a): a is number => a !== null);
  const lo = known.length ? Math.min(...known) - 1 : 0;
  const hi = known.length ? Math.max(...known) + 1 : 1;
  const y = (a: number | null) =>
    a === null ? H - PAD.bottom + 12 : H - PAD.bottom - ((a - lo) / (hi - lo || 1)) * (H - PAD.top - PAD.bottom);
  const front = candidates.filter((c) => c.pareto && c.accuracy !== null).sort((a, b) => a.latency.p50Ms - b.latency.p50Ms);
  const points = candidates.map((c) => {
    const dot = svg('circle', {
      cx: x(c.latency.p50Ms).toFixed(1),
      cy: y(c.accuracy).toFixed(1),
      r: c.pareto ? 6 : 4.5,
      class: `dot ${c.feasible ? 'feasible' : 'infeasible'}${c.pareto ? ' pareto' : ''}`,
      tabindex: 0,
      role: 'img',
      'aria-label': `${c.shortName}, ${ms(c.latency.p50Ms)}, accuracy ${c.accuracy ?? 'unknown'}`,
      'data-id': c.id,
    });
    const showTip = () => {
      tooltip.replaceChildren(...details(c, data));
      tooltip.hidden = false;
      const box = dot.getBoundingClientRect();
      tooltip.style.left = `${box.right + window.scrollX + 8}px`;
      tooltip.style.top = `${box.top + window.scrollY - 8}px`;
    };
    const hide = () => {
      tooltip.hidden = true;
    };
    dot.addEventListener('mouseenter', showTip);
    dot.addEventListener('focus', showTip);
    dot.addEventListener('mouseleave', hide);
    dot.addEventListener('blur', hide);
    return dot;
  });
  const ticks = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000].filter((t) => {
    const px = x(t);
    return px >= PAD.left && px <= W - PAD.right;
  });
  return svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'scatter', role: 'group', 'aria-label': 'latency against accuracy, one point per candidate' },
    [
      svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis' }),
      svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'axis' }),
      ...ticks.map((t) => svg('text', { x: x(t).toFixed(1), y: H - PAD.bottom + 18, class: 'label', 'text-anchor': 'middle' }, `${t} ms`)),
      svg('text', { x: PAD.left - 6, y: PAD.top + 10, class: 'label', 'text-anchor': 'end' }, hi.toFixed(0)),
      svg('text', { x: PAD.left - 6, y: H - PAD.bottom, class: 'label', 'text-anchor': 'end' }, lo.toFixed(0)),
      svg(
        'text',
        {
          x: 12,
          y: PAD.top + (H - PAD.top - PAD.bottom) / 2,
          class: 'label',
          transform: `rotate(-90 12 ${PAD.top + (H - PAD.top - PAD.bottom) / 2})`,
          'text-anchor': 'middle',
        },
        'accuracy',
      ),
      svg(
        'text',
        { x: (PAD.left + W - PAD.right) / 2, y: H - 6, class: 'label', 'text-anchor': 'middle' },
        'end-to-end p50 (log scale) · ringed: Pareto front · grey: infeasible',
      ),
      front.length > 1
        ? svg('polyline', {
            points: front.map((c) => `${x(c.latency.p50Ms).toFixed(1)},${y(c.accuracy).toFixed(1)}`).join(' '),
            class: 'front',
          })
        : null,
      ...points,
    ].filter((e): e is SVGElement => e !== null),
  );
}

function details(c: Candidate, data: DecisionData): HTMLElement[] {
  const variant = data.input.variants.find((v) => v.id === c.variantId);
  const parts = data.measurements.filter((m) => m.variantId === c.variantId && c.tiers.includes(m.tier as never));
  const noisy = parts.some((m) => m.p50Ms > 0 && (m.p50CiHighMs - m.p50CiLowMs) / m.p50Ms > NOISY_SHARE);
  const line = (label: string, value: string) => h('div', {}, [h('strong', {}, `${label}: `), value]);
  return [
    h('div', { class: 'tip-title' }, c.shortName),
    line('variant', variant?.label ?? c.label),
    line('scenario', c.scenario + (c.cut ? ` (cut at ${c.cut})` : '')),
    line(
      'p50 / p95',
      `${ms(c.latency.p50Ms)} / ${ms(c.latency.p95Ms)} (network ${ms(c.latency.networkMs)}${c.latency.inputDecodeMs ? `, input decode ${ms(c.latency.inputDecodeMs)}` : ''})`,
    ),
    line('compute p50 interval', parts.map((m) => `${m.tier} ${m.part}: ${ms(m.p50CiLowMs)}–${ms(m.p50CiHighMs)}`).join('; ') || '–'),
    line(
      'accuracy',
      variant?.accuracy
        ? `${variant.accuracy.value.toFixed(2)} (${variant.accuracy.low.toFixed(2)}–${variant.accuracy.high.toFixed(2)})`
        : 'not measured',
    ),
    line('envelope', parts.map((m) => `${m.tier}: ${m.method}${m.envelope ? ` ${summarize(m.envelope)}` : ''}`).join('; ') || '–'),
    line('input shapes', data.modelInputs.map((s) => `${s.name} [${(s.shape ?? []).join(',')}]`).join(', ') || '–'),
    line('noise', noisy ? `noisy: a p50 interval is wider than ${NOISY_SHARE * 100}% of the p50` : 'steady'),
  ];
}

function summarize(envelope: unknown): string {
  if (!envelope || typeof envelope !== 'object') return String(envelope);
  return Object.entries(envelope as Record<string, unknown>)
    .filter(([, v]) => typeof v !== 'object')
    .slice(0, 5)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** Splits a label into lines of at most `max` characters, at ' · ', ' (' or '/' where it can, anywhere otherwise. */
export function wrapLabel(label: string, max: number): string[] {
  const lines: string[] = [];
  let rest = label;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const at = Math.max(window.lastIndexOf(' · '), window.lastIndexOf(' ('), window.lastIndexOf('/'));
    const cut = at > 0 ? at : max;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ · /, '').trimStart();
  }
  lines.push(rest);
  return lines;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(sorted.length - 1, low + 1)] - sorted[low]) * (at - low);
}

/** Per-tier warm latency distributions (box plots of the stored samples) with the cold start beside them. */
function distributions(data: DecisionData): HTMLElement {
  const rows = data.input.measurements
    .map((m) => {
      const sorted = [...m.samplesMs].sort((a, b) => a - b);
      const stored =
        data.measurements.find(
          (s) => s.variantId === m.variantId && s.tier === m.tier && s.part === m.part && (s.cut ?? undefined) === (m.cut ?? undefined),
        ) ?? data.measurements.find((s) => s.variantId === m.variantId && s.tier === m.tier && s.part === m.part);
      const variant = data.input.variants.find((v) => v.id === m.variantId);
      const where = `${m.tier}${m.part === 'whole' ? '' : ` ${m.part}`}${m.cut ? ` (cut ${m.cut})` : ''}`;
      return {
        name: `${variant ? variant.operators.join('+') || 'identity' : m.variantId.slice(0, 8)} · ${where}`,
        sorted,
        cold: stored?.coldStartMs ?? null,
      };
    })
    .filter((r) => r.sorted.length > 0);
  const all = rows.flatMap((r) => [r.sorted[0], r.sorted[r.sorted.length - 1], ...(r.cold ? [r.cold] : [])]);
  // Labels get up to half the chart (about 6.2 units a character at the label font); a longer one, such as a
  // partition's cut tensor, wraps onto more lines and its row grows, so no label is cut off at the left edge.
  const maxChars = Math.floor((W / 2 - 16) / 6.2);
  const lines = rows.map((r) => wrapLabel(r.name, maxChars));
  const left = Math.round(Math.max(140, ...lines.flat().map((l) => l.length * 6.2 + 16)));
  const rowHeights = lines.map((l) => Math.max(26, l.length * 12 + 10));
  const tops = rowHeights.map((_, i) => rowHeights.slice(0, i).reduce((a, b) => a + b, 0));
  const height = tops[tops.length - 1] + rowHeights[rowHeights.length - 1] + 30;
  const x = logScale(all.length ? all : [1], left, W - PAD.right);
  const boxes = rows.flatMap((r, i) => {
    const cy = 3 + tops[i] + rowHeights[i] / 2;
    const q = [0, 0.25, 0.5, 0.75, 1].map((p) => x(quantile(r.sorted, p)));
    return [
      svg(
        'text',
        { x: left - 8, y: cy + 4 - (lines[i].length - 1) * 6, class: 'label dist-label', 'text-anchor': 'end' },
        lines[i].map((l, k) => svg('tspan', { x: left - 8, dy: k === 0 ? 0 : 12 }, l)),
      ),
      svg('line', { x1: q[0], x2: q[4], y1: cy, y2: cy, class: 'whisker' }),
      svg(
        'rect',
        { x: q[1], y: cy - 8, width: Math.max(1, q[3] - q[1]), height: 16, class: 'box' },
        svg(
          'title',
          {},
          `warm p25 ${ms(quantile(r.sorted, 0.25))}, p50 ${ms(quantile(r.sorted, 0.5))}, p75 ${ms(quantile(r.sorted, 0.75))}, ${r.sorted.length} samples`,
        ),
      ),
      svg('line', { x1: q[2], x2: q[2], y1: cy - 8, y2: cy + 8, class: 'median' }),
      r.cold
        ? svg(
            'path',
            { d: `M${x(r.cold).toFixed(1)} ${cy - 7} l6 7 l-6 7 l-6 -7 z`, class: 'cold' },
            svg('title', {}, `cold start ${ms(r.cold)}`),
          )
        : null,
    ].filter((e): e is SVGElement => e !== null);
  });
  const ticks = [0.1, 1, 10, 100, 1000, 10000].filter((t) => {
    const px = x(t);
    return px >= left && px <= W - PAD.right;
  });
  return h('section', { 'aria-labelledby': 'dist-title' }, [
    h('h2', { id: 'dist-title' }, 'Latency distributions per tier'),
    h(
      'p',
      { class: 'muted small' },
      'Boxes: warm samples (quartiles, whiskers min–max, line at the median), log scale. Diamond: cold start (load and first run).',
    ),
    rows.length
      ? h(
          'div',
          { class: 'chart', id: 'distributions' },
          svg('svg', { viewBox: `0 0 ${W} ${height}`, class: 'boxes', role: 'img', 'aria-label': 'latency distributions per tier' }, [
            ...boxes,
            ...ticks.map((t) => svg('text', { x: x(t).toFixed(1), y: height - 8, class: 'label', 'text-anchor': 'middle' }, `${t} ms`)),
          ]),
        )
      : h('p', { class: 'muted' }, 'No samples stored.'),
    table(
      ['measurement', 'warm p50', 'cold start', 'cold ÷ warm'],
      rows.map((r) => {
        const p50 = quantile(r.sorted, 0.5);
        return [r.name, ms(p50), ms(r.cold), r.cold ? `${(r.cold / p50).toFixed(1)}×` : '–'];
      }),
      '',
      'Cold start beside warm',
    ),
  ]);
}
