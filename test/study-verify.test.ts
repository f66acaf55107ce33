import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { labUnavailable } from '../src/netlab/lab';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { uploadImageFamily, waitForStudy } from './support/studies';

isolateEnvironment();
const ALL_QUEUES = ['build', 'evaluate', 'advise', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'];
const why = labUnavailable();

describe('study option effort.verify', { skip: why ? `skipped: the lab ${why}` : false }, () => {
  let api: Api;
  let worker: INestApplicationContext;
  let auth: { Authorization: string };
  let ids: { modelId: string; datasetId: string };

  before(async () => {
    api = await startApi();
    worker = await startWorker({ queues: ALL_QUEUES });
    ({ auth } = await api.newTeam());
    ids = await uploadImageFamily(api, auth, []);
  });
  after(async () => {
    await worker.close();
    await api.close();
  });

  test('an offload over 20 Mbps / 60 ms, run for real: measured end-to-end p50 within 15 % of the prediction', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({
        ...ids,
        scenarios: ['edge'],
        operators: ['identity'],
        network: { mobileEdgeMbps: 20, edgeCloudMbps: 20, rttMs: 60 },
        effort: { warmup: 3, runs: 20, evalLimit: 50, verify: true },
      })
      .expect(202);
    assert.equal(created.body.effort.verify, true);
    const study = await waitForStudy(api, auth, created.body.id);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    const verification = study.recommendation.verification as Record<string, any>;
    assert.equal(verification.status, 'measured', JSON.stringify(verification));
    assert.equal(verification.scenario, 'edge');
    // The prediction: compute on the edge tier + one exchange over the link (RTT once, the encoded PNG, the logits).
    assert.ok(verification.predictedNetworkMs >= 60 && verification.predictedNetworkMs < 70, JSON.stringify(verification));
    assert.ok(verification.measuredP50Ms > 60, 'a real exchange takes at least the RTT');
    assert.ok(Math.abs(verification.gapPct) <= 15, JSON.stringify(verification));
    assert.equal(verification.flagged, false);
    const report = (await api.http.get(`/v1/studies/${study.id}/report`).set(auth).expect(200)).body as Record<string, any>;
    assert.equal(report.verification.measuredP50Ms, verification.measuredP50Ms);
    const html = await api.http.get(`/v1/studies/${study.id}/report?format=html`).set(auth).expect(200);
    assert.match(html.text, /Verified on a real stack/);
    assert.match(html.text, /measured \d+\.\d ms, gap [+-]\d+\.\d %/);
  });
});
