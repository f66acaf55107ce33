import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { groupFailures } from '../../src/web/failure-groups';
import { isolateEnvironment, startApi, startWorker, type Api } from '../support/harness';
import { uploadImageFamily, waitForStudy } from '../support/studies';
import { launchChromium, listen, screenshot } from './browser';

isolateEnvironment();
// A mobile tier too small to load onnxruntime: every measurement there dies of memory, the study completes on edge.
process.env.TIERWISE_TIERS = JSON.stringify({ mobile: { memoryMB: 16 } });

describe('a study with failed jobs in the browser', { timeout: 180_000 }, () => {
  let api: Api;
  let worker: INestApplicationContext;
  let browser: Browser;

  before(async () => {
    api = await startApi();
    worker = await startWorker({ queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'] });
    browser = await launchChromium();
  });
  after(async () => {
    delete process.env.TIERWISE_TIERS;
    await browser?.close();
    await worker?.close();
    await api?.close();
  });

  test('failures are grouped by code, each distinct message once with the jobs it hit', async () => {
    const base = await listen(api);
    const { key, auth } = await api.newTeam();
    const ids = await uploadImageFamily(api, auth, ['distilled']);
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ ...ids, operators: ['identity', 'distilled'], scenarios: ['mobile', 'edge'], effort: { warmup: 2, runs: 10 } })
      .expect(202);
    const page = await browser.newPage();
    await page.goto(base);
    await page.evaluate((k) => (globalThis as any).localStorage.setItem('tierwise.apiKey', k), key);
    await page.goto(`${base}/#/studies/${created.body.id}`);
    await page.locator('#recommendation').waitFor({ timeout: 150_000 });
    const study = await waitForStudy(api, auth, created.body.id, 5_000);
    const failures = study.failures as Array<{ code: string; message: string; job: string; tier?: string }>;
    assert.ok(failures.length >= 2, JSON.stringify(failures));
    const codes = [...new Set(failures.map((f) => f.code))].sort();
    const groups = page.locator('#failures .failure-group');
    assert.deepEqual((await groups.evaluateAll((els) => els.map((e) => (e as any).dataset.code as string))).sort(), codes);
    // The two mobile measurements die alike; their messages differ only in the model file's path: shown once.
    const expected = groupFailures(failures);
    assert.ok(
      expected.some((g) => g.messages.some((m) => m.failures.length >= 2)),
      JSON.stringify(failures),
    );
    for (const { code, messages } of expected) {
      const group = page.locator(`#failures .failure-group[data-code="${code}"]`);
      assert.deepEqual(
        await group.locator('.failure-message').allTextContents(),
        messages.map((m) => m.message),
        'each distinct message once',
      );
      const hits = await group.locator('li .muted').allTextContents();
      messages.forEach((m, i) => {
        for (const f of m.failures)
          assert.ok(hits[i].includes(f.job + (f.tier ? ` on ${f.tier}` : '')), `${f.job} is listed under ${code}: ${hits[i]}`);
        assert.equal(hits[i].split(', ').length, m.failures.length);
      });
    }
    // The per-job list marks exactly the failed jobs, with their codes.
    const failedRows = await page.locator('#jobs tbody tr[data-state="failed"]').count();
    assert.equal(failedRows, failures.length);
    const jobs = (await api.http.get(`/v1/studies/${created.body.id}/jobs`).set(auth).expect(200)).body as Array<{
      state: string;
      code?: string;
      tier?: string;
    }>;
    assert.deepEqual(
      jobs
        .filter((j) => j.state === 'failed')
        .map((j) => `${j.code}@${j.tier}`)
        .sort(),
      failures.map((f) => `${f.code}@${f.tier}`).sort(),
    );
    assert.ok(
      jobs.some((j) => j.state === 'done'),
      'the edge measurements are done',
    );
    await screenshot(page, 'study-failures');
  });
});
