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
    // The prediction counts the edge turning the PNG into a tensor (measured by the advise job on the dataset's own
    // images). Runs here gave gaps of +8 to +13 % (bench/network/README.md, "verify"); the test holds 20 %, a tripwire
    // for a lost term (without the decode they were +14 to +17 %) that a loaded host's scheduling cannot trip.
    assert.ok(verification.predictedInputDecodeMs > 0, JSON.stringify(verification));
    assert.ok(Math.abs(verification.gapPct) <= 20, JSON.stringify(verification));
    const report = (await api.http.get(`/v1/studies/${study.id}/report`).set(auth).expect(200)).body as Record<string, any>;
    assert.equal(report.verification.measuredP50Ms, verification.measuredP50Ms);
    const html = await api.http.get(`/v1/studies/${study.id}/report?format=html`).set(auth).expect(200);
    assert.match(html.text, /Verified on a real stack/);
    assert.match(html.text, /measured \d+\.\d ms, gap [+-]\d+\.\d %/);
    assert.match(html.text, /Where the measured time went: network \d+\.\d ms/);
    // No encoding named: the dataset's PNGs as they are, with HTTP framing, recorded as assumed and shown.
    assert.equal(report.network.request.encoding, 'encoded');
    assert.equal(report.network.request.assumed, true);
    assert.ok(Math.abs(report.network.request.bytes - 250 - verification.requestBytesSent) < 0.5 * verification.requestBytesSent);
    assert.match(html.text, /each request [\d,]+ B, encoded with HTTP framing \(assumed/);
    assert.match(html.text, /input decode, added where the model starts — the request where it arrives: [^;]*edge \d+\.\d+ ms/);
    const edge = report.candidates.find((c: { scenario: string }) => c.scenario === 'edge');
    assert.equal(edge.latency.inputDecodeMs, report.network.request.decode.requestMs.edge);
    assert.equal(verification.predictedInputDecodeMs, edge.latency.inputDecodeMs);
  });

  test('json-base64, as in the paper: the request grows by 4/3, and verify sends the same bodies the prediction moved', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({
        ...ids,
        scenarios: ['edge'],
        operators: ['identity'],
        network: { mobileEdgeMbps: 20, edgeCloudMbps: 20, rttMs: 60, requestEncoding: 'json-base64' },
        effort: { warmup: 3, runs: 10, evalLimit: 50, verify: true },
      })
      .expect(202);
    const study = await waitForStudy(api, auth, created.body.id);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    const report = (await api.http.get(`/v1/studies/${study.id}/report`).set(auth).expect(200)).body as Record<string, any>;
    assert.deepEqual([report.network.request.encoding, report.network.request.assumed], ['json-base64', false]);
    const verification = study.recommendation.verification as Record<string, any>;
    assert.equal(verification.status, 'measured', JSON.stringify(verification));
    // The client's body is {"input":"<base64 of the PNG>"} (the prediction's mean is over the evaluated images, the
    // client's over the 8 it cycles): what the prediction moved, less the app framing it assumes.
    const body = report.network.request.bytes - 250;
    assert.ok(Math.abs(body - verification.requestBytesSent) < 0.25 * body, JSON.stringify(verification));
  });
});

describe('request encodings a study cannot give are refused before anything runs', () => {
  let api: Api;
  let auth: { Authorization: string };
  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => {
    await api.close();
  });

  test('encoded without a dataset is 400 NETWORK_INVALID; an unknown encoding is a validation error naming the choices', async () => {
    const { modelId } = await uploadImageFamily(api, auth, []);
    const encoded = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, operators: ['identity'], scenarios: ['edge'], network: { requestEncoding: 'encoded' } });
    assert.equal(encoded.status, 400);
    assert.equal(encoded.body.error.code, 'NETWORK_INVALID');
    assert.match(encoded.body.error.message, /no dataset: use raw-tensor or json-base64/);
    const unknown = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, operators: ['identity'], scenarios: ['edge'], network: { requestEncoding: 'protobuf' } });
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body.error), /requestEncoding/);
  });
});
