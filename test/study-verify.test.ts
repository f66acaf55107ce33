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

  test('an offload over 20 Mbps / 60 ms, run for real: the measured p50 beside the predicted one, explained within 15 %', async (t) => {
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
    const { samplesMs: _samples, notes: _notes, ...figures } = verification;
    t.diagnostic(JSON.stringify(figures));
    assert.equal(verification.scenario, 'edge');
    // The prediction: compute on the edge tier + one exchange over the link (RTT once, the encoded PNG, the logits).
    assert.ok(verification.predictedNetworkMs >= 60 && verification.predictedNetworkMs < 70, JSON.stringify(verification));
    assert.ok(verification.measuredP50Ms > 60, 'a real exchange takes at least the RTT');
    assert.equal(verification.flagged, Math.abs(verification.gapPct) > 15);
    assert.ok(
      Math.abs(verification.measuredP50Ms - verification.predictedP50Ms - (verification.gapPct * verification.predictedP50Ms) / 100) < 1e-6,
    );
    // The transfer model for the bytes sent, plus what the server measured itself doing (decode, run), is the
    // measured end-to-end within 15 %; what is left is both ends' HTTP and socket handling.
    assert.ok(Math.abs(verification.explainedGapPct) <= 15, JSON.stringify(verification));
    assert.ok(verification.serverDecodeP50Ms > 0 && verification.serverRunP50Ms > 0);
    const report = (await api.http.get(`/v1/studies/${study.id}/report`).set(auth).expect(200)).body as Record<string, any>;
    assert.equal(report.verification.measuredP50Ms, verification.measuredP50Ms);
    const html = await api.http.get(`/v1/studies/${study.id}/report?format=html`).set(auth).expect(200);
    assert.match(html.text, /Verified on a real stack/);
    assert.match(html.text, /measured \d+\.\d ms, gap [+-]\d+\.\d %/);
    assert.match(html.text, /Where the measured time went: network \d+\.\d ms/);
  });
});
