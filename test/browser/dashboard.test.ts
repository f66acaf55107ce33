import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as tar from 'tar';
import { findCrossovers, type StudyInput } from '../../src/advisor';
import { PrismaService } from '../../src/prisma/prisma.service';
import { fixtures, isolateEnvironment, startApi, startWorker, type Api } from '../support/harness';
import { waitForStudy } from '../support/studies';
import { launchChromium, listen, screenshot, SCREENSHOTS, watchErrors } from './browser';

isolateEnvironment();
const ALL_QUEUES = ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'];
/** The slider's logarithmic position for a bandwidth, as the page computes it. */
const positionOf = (mbps: number) => 100 * Math.log10(mbps);

interface Candidate { id: string; rank: number | null }
interface Crossover { link: 'mobile-edge' | 'edge-cloud'; mbps: number; fromId: string | null; toId: string | null; sentence: string }

describe('dashboard in a real browser', { timeout: 240_000 }, () => {
  let api: Api;
  let worker: INestApplicationContext;
  let browser: Browser;
  let page: Page;
  let base: string;
  let key: string;
  let auth: { Authorization: string };
  let studyId: string;
  let errors: string[];
  /** A second study for the comparison, started through the api beside the browser's, so the two run together. */
  let otherStudy: Promise<string>;

  before(async () => {
    api = await startApi();
    base = await listen(api);
    worker = await startWorker({ queues: ALL_QUEUES });
    ({ key, auth } = await api.newTeam());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
  });

  test('enter a key, upload a model and a dataset through the forms', async () => {
    await page.goto(base);
    await page.getByText('Enter an API key above').waitFor();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('No models yet.').waitFor();

    const model = page.locator('#upload-model');
    await model.locator('input[name=file]').setInputFiles(fixtures('fashion-resnet/models/fashion-resnet-identity.onnx'));
    await model.locator('input[name=name]').fill('fashion-resnet');
    await model.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#models td', { hasText: 'fashion-resnet' }).first().waitFor();

    const archive = join(mkdtempSync(join(tmpdir(), 'tierwise-browser-')), 'eval-100.tar.gz');
    tar.c({ sync: true, gzip: true, cwd: fixtures('fashion-resnet'), file: archive, portable: true }, ['eval-100']);
    const dataset = page.locator('#upload-dataset');
    await dataset.locator('input[name=file]').setInputFiles(archive);
    await dataset.locator('textarea[name=preprocess]').fill(readFileSync(fixtures('fashion-resnet/preprocess.json'), 'utf8'));
    await dataset.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#datasets td', { hasText: 'eval-100' }).first().waitFor();
    await screenshot(page, 'home');
    const listed = await api.http.get('/v1/datasets').set(auth).expect(200);
    assert.equal(listed.body.items[0].sampleCount, 100);
    const models = await api.http.get('/v1/models').set(auth).expect(200);
    otherStudy = api.http.post('/v1/studies').set(auth).send({ modelId: models.body.items[0].id, scenarios: ['mobile', 'edge'], operators: ['identity'], effort: { warmup: 2, runs: 10 } }).expect(202).then((r) => r.body.id as string);
    otherStudy.catch(() => undefined); // awaited (and reported) in the comparison test
  });

  test('start a study from the form and watch it complete live', async () => {
    await page.getByRole('link', { name: 'Start a study' }).click();
    const form = page.locator('#new-study');
    await form.waitFor();
    for (const box of await form.locator('input[name=scenario]').all()) {
      const value = await box.getAttribute('value');
      await box.setChecked(['mobile', 'edge', 'cloud'].includes(value ?? ''));
    }
    await form.locator('input[name=operator][value=identity]').check();
    await form.locator('input[name=runs]').fill('20');
    await form.locator('input[name=warmup]').fill('2');
    await form.getByRole('button', { name: 'Start study' }).click();
    await page.waitForURL(/#\/studies\//);
    await page.locator('#study-status').waitFor();
    studyId = decodeURIComponent(page.url().split('#/studies/')[1]);
    // Record every status the page shows while it follows the study, to prove it was followed live.
    // (Runs in the page; the test's own tsconfig has no DOM types, hence the untyped globals.)
    await page.evaluate(() => {
      const g = globalThis as any;
      const seen: string[] = [];
      g.seen = seen;
      const el = g.document.getElementById('study-status');
      if (!el) throw new Error('no status badge');
      seen.push(el.textContent ?? '');
      new g.MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, subtree: true, characterData: true });
    });
    await page.locator('#timeline .phase-current, #timeline .phase-done').first().waitFor();
    await screenshot(page, 'study-live');
    await page.locator('#recommendation').waitFor({ timeout: 180_000 });
    const seen = await page.evaluate(() => (globalThis as any).seen as string[]);
    assert.ok(seen.some((s) => !['completed', 'failed', 'cancelled'].includes(s)), `statuses seen: ${seen.join(', ')}`);
    assert.equal(seen.at(-1), 'completed');
    const study = await waitForStudy(api, auth, studyId, 5_000);
    assert.equal(study.status, 'completed');
    assert.deepEqual(study.scenarios, ['mobile', 'edge', 'cloud']);
    assert.equal(await page.locator('#recommendation').textContent(), study.recommendation.explanation);
    assert.equal(await page.locator('#cancel-study').isHidden(), true, 'no cancel button once the study ended');
    const measured = await api.http.get(`/v1/studies/${studyId}/measurements`).set(auth).expect(200);
    assert.equal(await page.locator('#measurements tbody tr').count(), measured.body.length);
    assert.equal(await page.locator('#timeline .phase-done').count(), 6);
    await page.locator('#scatter circle').first().waitFor();
    await page.frameLocator('iframe.report').getByText('Tierwise study of fashion-resnet').first().waitFor();
  });

  test('the slider ranking is the server’s; crossing a crossover changes the top recommendation as the api says', async () => {
    const decision = page.locator('#decision');
    await decision.scrollIntoViewIfNeeded();
    const shown = async () => ({
      top: await page.locator('#whatif-top').getAttribute('data-id'),
      order: await page.locator('#whatif-ranking tbody tr').evaluateAll((rows) => rows.map((r) => (r as any).dataset.id as string)),
    });
    const server = async (network: Record<string, number>) => {
      const res = await api.http.post(`/v1/studies/${studyId}/what-if`).set(auth).send({ network }).expect(200);
      return { top: res.body.ranking.recommendedId as string | null, order: (res.body.ranking.candidates as Candidate[]).map((c) => c.id), crossovers: res.body.crossovers as Crossover[] };
    };
    const study = (await api.http.get(`/v1/studies/${studyId}`).set(auth).expect(200)).body;
    const atStudy = await server({});
    assert.deepEqual(await shown(), { top: atStudy.top, order: atStudy.order });
    assert.equal(atStudy.top, `${study.recommendation.variantId}@${study.recommendation.scenario}`);
    assert.equal(await page.locator('#whatif-ranking tbody tr').count(), 3);

    // Hover a point: its details name the variant, the scenario and the figures.
    await page.locator('#scatter circle').first().hover();
    const tip = page.locator('#scatter-tip');
    await tip.waitFor();
    assert.match((await tip.textContent()) ?? '', /scenario: (mobile|edge|cloud).*p50 \/ p95.*input shapes: input \[/s);

    // Move both sliders and the RTT with the keyboard, then compare with the server's recomputation.
    const slider = page.locator('#bw-mobile-edge');
    await slider.focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowLeft');
    const edgeCloud = page.locator('#bw-edge-cloud');
    await edgeCloud.focus();
    for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowRight');
    await page.locator('#rtt').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const positions = { me: Number(await slider.inputValue()), ec: Number(await edgeCloud.inputValue()), rtt: Number(await page.locator('#rtt').inputValue()) };
    assert.equal(positions.rtt, study.network.rttMs + 1.5);
    const moved = await server({ mobileEdgeMbps: Math.pow(10, positions.me / 100), edgeCloudMbps: Math.pow(10, positions.ec / 100), rttMs: positions.rtt });
    assert.deepEqual(await shown(), { top: moved.top, order: moved.order });

    // Back to the study's network: the crossovers the page marks are the stored ones (bisection may differ in the last bit).
    await page.getByRole('button', { name: 'Back to the study’s network' }).click();
    const report = (await api.http.get(`/v1/studies/${studyId}/report?format=json`).set(auth).expect(200)).body as { crossovers: Crossover[] };
    const same = (a: Crossover[]) => a.map((c) => ({ ...c, mbps: c.mbps.toPrecision(12) }));
    assert.deepEqual(same(report.crossovers), same(atStudy.crossovers));
    const marked = await page.locator('#whatif-crossovers li[data-link]').evaluateAll((items) => items.map((i) => `${(i as any).dataset.link}@${Number((i as any).dataset.mbps).toFixed(2)}`));
    assert.deepEqual(marked, report.crossovers.map((c) => `${c.link}@${c.mbps.toFixed(2)}`));

    // Whether edge overtakes mobile within 1 Mbps–1 Gbps depends on measured compute times and the RTT; find an RTT
    // where the api lists a crossover (the study's own network first), set it with the RTT slider, then walk the
    // bandwidth slider across the api's first crossover.
    // The search runs the advisor here (microseconds a try) on the study's own decision data; the api confirms.
    const input = (await api.http.get(`/v1/studies/${studyId}/decision`).set(auth).expect(200)).body.input as StudyInput;
    let rttMs = study.network.rttMs as number;
    let crossovers = report.crossovers;
    for (let r = rttMs; !crossovers.length && r <= rttMs + 100; r += 0.5) {
      if (findCrossovers({ ...input, network: { ...input.network, rttMs: r } }).length) {
        rttMs = r;
        crossovers = (await server({ rttMs })).crossovers;
      }
    }
    assert.ok(crossovers.length > 0, `no RTT up to 100 ms gives this study a crossover to test against: ${JSON.stringify(atStudy.order)}`);
    await page.locator('#rtt').focus();
    for (let r = study.network.rttMs; r < rttMs; r += 0.5) await page.keyboard.press('ArrowRight');
    assert.equal(Number(await page.locator('#rtt').inputValue()), rttMs);
    const crossing = crossovers[0];
    const target = page.locator(`#bw-${crossing.link}`);
    assert.equal(await page.locator(`#bw-${crossing.link} ~ .ticks .tick`).count() > 0, true, 'the crossover is marked on its slider');
    const below = Math.floor(positionOf(crossing.mbps)) - 1;
    await target.evaluate((el, v) => { const input = el as any; input.value = String(v); input.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true })); }, below);
    assert.equal(await page.locator('#whatif-top').getAttribute('data-id'), crossing.fromId ?? '');
    await target.focus();
    const above = Math.ceil(positionOf(crossing.mbps)) + 1;
    for (let p = below; p < above; p++) await page.keyboard.press('ArrowRight');
    assert.equal(Number(await target.inputValue()), above);
    assert.equal(await page.locator('#whatif-top').getAttribute('data-id'), crossing.toId ?? '');
    await screenshot(page, 'decision');
    await page.locator('#decision section').first().screenshot({ path: join(SCREENSHOTS, 'dashboard.png') });

    // A constraint typed in the page filters as the server does.
    await page.locator('#whatif-latencyBudgetMs').fill('0.001');
    assert.match((await page.locator('#whatif-top').textContent()) ?? '', /No candidate meets every constraint/);
    const strict = await api.http.post(`/v1/studies/${studyId}/what-if`).set(auth).send({ constraints: { latencyBudgetMs: 0.001 } }).expect(200);
    assert.equal(strict.body.ranking.recommendedId, null);
    await page.locator('#whatif-latencyBudgetMs').fill('');

    // A tablet-wide window: nothing overflows the page sideways.
    await page.setViewportSize({ width: 800, height: 1100 });
    const overflow = await page.evaluate(() => { const d = (globalThis as any).document.documentElement; return d.scrollWidth - d.clientWidth; });
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than an 800px window`);
    await screenshot(page, 'decision-tablet');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('a share link opens without a key in a fresh context, and is refused once revoked', async () => {
    await page.locator('#share-create').click();
    const url = await page.locator('.share-url').getAttribute('href');
    assert.ok(url && new URL(url).pathname.startsWith('/share/'), String(url));
    assert.doesNotMatch(url, new RegExp(key), 'no api key in the link');
    const listed = await api.http.get(`/v1/studies/${studyId}/shares`).set(auth).expect(200);
    assert.equal(listed.body.length, 1);
    assert.equal(listed.body[0].token, undefined, 'listings never show a token');
    const token = new URL(url).pathname.split('/')[2];
    const outsider = await api.newTeam();
    assert.equal((await api.http.delete(`/v1/share/${token}`).set(outsider.auth).expect(404)).body.error.code, 'SHARE_NOT_FOUND');
    assert.equal((await api.http.post(`/v1/studies/${studyId}/share`).set(outsider.auth).send({}).expect(404)).body.error.code, 'STUDY_NOT_FOUND');

    // An expired link is refused like a revoked one.
    const expiring = (await api.http.post(`/v1/studies/${studyId}/share`).set(auth).send({ expiresInHours: 1 }).expect(201)).body;
    await api.http.get(`/share/${expiring.token}/data`).expect(200);
    await api.app.get(PrismaService).shareLink.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal((await api.http.get(`/share/${expiring.token}/data`).expect(410)).body.error.code, 'SHARE_EXPIRED');

    const stranger = await browser.newContext();
    try {
      const shared = await stranger.newPage();
      const strangerErrors = watchErrors(shared);
      await shared.goto(url);
      await shared.locator('#whatif-top').waitFor();
      assert.equal(await shared.locator('#recommendation').textContent(), await page.locator('#recommendation').textContent());
      assert.equal(await shared.locator('#key-form').isHidden(), true);
      assert.equal(await shared.evaluate(() => (globalThis as any).localStorage.length as number), 0, 'the stranger has no key');
      await shared.frameLocator('iframe.report').getByText('Tierwise study of fashion-resnet').first().waitFor();
      await screenshot(shared, 'share');
      assert.deepEqual(strangerErrors, []);

      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.locator('#share-links li.revoked').waitFor();
      const refused = await shared.goto(url);
      assert.equal(refused?.status(), 410);
      assert.match((await shared.locator('#refused').textContent()) ?? '', /SHARE_REVOKED/);
      await screenshot(shared, 'share-revoked');
      const data = await api.http.get(`${new URL(url).pathname}/data`).expect(410);
      assert.equal(data.body.error.code, 'SHARE_REVOKED');
    } finally {
      await stranger.close();
    }
  });

  test('compare two studies side by side', async () => {
    const other = { body: { id: await otherStudy } };
    await waitForStudy(api, auth, other.body.id, 120_000);
    await page.goto(`${base}/#/`);
    await page.locator(`#studies input[value="${studyId}"]`).check();
    await page.locator(`#studies input[value="${other.body.id}"]`).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await page.locator('#compare .compare-col').nth(1).waitFor();
    assert.equal(await page.locator('#compare .compare-col').count(), 2);
    assert.deepEqual(await page.locator('#compare .compare-col').evaluateAll((cols) => cols.map((c) => (c as any).dataset.study as string).sort()), [studyId, other.body.id].sort());
    await screenshot(page, 'compare');
    assert.deepEqual(errors, []);
  });
});
