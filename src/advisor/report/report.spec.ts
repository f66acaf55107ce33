import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from '../index';
import { bertStudy, wrnStudy } from '../testing/synthetic-study';
import { buildReport, csvField, escapeHtml, reportToCsv, reportToHtml } from './index';
import { escapeBreakable } from './escape';
import type { StudyInput } from '../types';

const HOSTILE_LABEL = '<script>alert("pwned")</script> & "quoted", model\nwith newline';

function hostileStudy(): StudyInput {
  const input = wrnStudy(40);
  input.variants = input.variants.map((v) =>
    v.id === 'wrn-sptq' ? { ...v, label: HOSTILE_LABEL } : v.id === 'wrn-dsptq' ? { ...v, label: '=HYPERLINK("http://evil")' } : v,
  );
  return { ...input, constraints: { maxAccuracyDrop: 1, latencyBudgetMs: 6000 } };
}

/** A strict RFC 4180 reader, to prove the writer's output parses back to the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('report', () => {
  test('JSON is a plain object that survives a round trip', () => {
    const report = buildReport(advise(bertStudy(30), { pointsPerDecade: 6 }), { title: 'BERT study' });
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
    assert.equal(report.recommendedId, report.candidates[0].id);
    assert.equal(report.recommendation, report.candidates[0].explanation);
  });

  test('CSV: one RFC 4180 row per candidate, quoting and formula-neutralizing user strings', () => {
    const report = buildReport(advise(hostileStudy(), { pointsPerDecade: 6 }));
    const csv = reportToCsv(report);
    assert.ok(csv.endsWith('\r\n'));
    const rows = parseCsv(csv);
    assert.equal(rows.length, report.candidates.length + 1);
    const header = rows[0];
    assert.equal(header.length, 22);
    assert.equal(header[20], 'noisy_share');
    assert.equal(header[21], 'input_decode_ms');
    assert.ok(
      rows.every((r) => r.length === header.length),
      'every row has every column',
    );
    const labelColumn = header.indexOf('label');
    const labels = rows.slice(1).map((r) => r[labelColumn]);
    assert.ok(labels.includes(HOSTILE_LABEL), 'quotes, commas and newlines survive');
    assert.ok(labels.includes(`'=HYPERLINK("http://evil")`), 'a formula becomes text');
    assert.ok(!labels.some((l) => l.startsWith('=')));
    const first = rows[1];
    assert.equal(Number(first[header.indexOf('p50_ms')]), +report.candidates[0].latency.p50Ms.toFixed(3));
    assert.equal(first[header.indexOf('feasible')], 'true');
    const rejected = rows.find((r) => r[header.indexOf('feasible')] === 'false');
    assert.ok(rejected && /latencyBudgetMs: [\d.]+ > 6000|maxAccuracyDrop: [\d.]+ > 1/.test(rejected[header.indexOf('violations')]));
    assert.equal(csvField('a "b", c'), '"a ""b"", c"');
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField(null), '');
  });

  test('HTML is self-contained, escapes model names and draws the scatter, limits and bars', () => {
    const advice = advise(hostileStudy(), { pointsPerDecade: 12 });
    const html = reportToHtml(buildReport(advice, { title: 'WRN <study>' }));
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(!html.includes('<script'), 'no script at all, injected or ours');
    assert.ok(html.includes(escapeHtml(HOSTILE_LABEL)));
    assert.ok(html.includes('<title>WRN &lt;study&gt;</title>'));
    assert.doesNotMatch(html, /\b(src|href)=|@import|url\(|<link/i, 'nothing to fetch');

    const scatter = html.slice(html.indexOf('aria-label="latency versus accuracy"'));
    const circles = scatter.slice(0, scatter.indexOf('</svg>')).match(/<circle /g) ?? [];
    assert.equal(circles.length, advice.candidates.length, 'one dot per candidate');
    assert.match(html, /data-limit="accuracy-floor"/);
    assert.match(html, /accuracy floor 81\.5/);
    assert.match(html, /data-limit="latency-budget"/);
    assert.match(html, /budget 6\.00 s \(p95\)/);
    assert.match(html, /<polyline class="front" points="[\d., ]+"\/>/);
    assert.equal((html.match(/<circle class="[^"]*pareto/g) ?? []).length, advice.candidates.filter((c) => c.pareto).length);
    for (const scenario of new Set(advice.candidates.map((c) => c.scenario)))
      assert.ok(html.includes(`aria-label="p50 per variant, ${escapeHtml(scenario)}"`));
    assert.ok(advice.crossovers.length > 0);
    for (const crossover of advice.crossovers) {
      const sentence = crossover.sentence.charAt(0).toUpperCase() + crossover.sentence.slice(1);
      assert.ok(html.includes(escapeHtml(sentence)), sentence);
    }
    assert.match(html, /How this was measured/);
  });

  test('escapeHtml covers the five special characters', () => {
    assert.equal(escapeHtml(`<a href='x'>"&"</a>`), '&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;');
  });

  test('escapeBreakable lets a long cut path break after its separators, escapes everything, leaves short words whole', () => {
    assert.equal(
      escapeBreakable('mobile|edge #/layers/layers.4/Add_output_0'),
      'mobile|edge #<wbr>/<wbr>layers/<wbr>layers.<wbr>4/<wbr>Add_<wbr>output_<wbr>0',
    );
    assert.equal(escapeBreakable('<b>a/very/long/hostile/name</b>').replace(/<wbr>/g, ''), escapeHtml('<b>a/very/long/hostile/name</b>'));
    assert.equal(escapeBreakable('edge/fp32 is short'), 'edge/fp32 is short');
  });
});
