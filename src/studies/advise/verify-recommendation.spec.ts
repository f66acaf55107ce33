import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Advice, StudyInput } from '../../advisor';
import type { BlobsService } from '../../blobs/blobs.service';
import { aStudy, aVariant, as } from '../testing/fakes';
import type { StudyDatasets } from '../study-datasets';
import { StudyRequests } from './study-requests';
import { RecommendationVerifier } from './verify-recommendation';

/** An advice whose recommendation is `scenario`; only what the verifier reads. */
function adviceFor(scenario: string): Advice {
  const candidate = {
    id: `v-1@${scenario}`,
    variantId: 'v-1',
    scenario,
    latency: { p50Ms: 80, p95Ms: 90, meanMs: 81, networkMs: 70, computeP50Ms: 10, samples: 20 },
  };
  return as<Advice>({ recommendedId: candidate.id, candidates: [candidate] });
}

const input = as<StudyInput>({ payloads: { requestBytes: 500, responseBytes: 40, cutBytes: {} } });
const variants = [aVariant({ id: 'v-1', blobSha: 'abc' })];
const verifier = new RecommendationVerifier(as<BlobsService>({ pathOf: () => '/nowhere.onnx' }), new StudyRequests(as<StudyDatasets>({})));
const study = (verify?: boolean, datasetId: string | null = 'd-1') =>
  aStudy({ effort: { warmup: 1, runs: 3, ...(verify === undefined ? {} : { verify }) }, datasetId });

describe('effort.verify: which recommendations are run for real', () => {
  test('not asked: nothing is recorded', async () => {
    assert.equal(await verifier.verify(study(), adviceFor('edge'), input, variants, []), null);
    assert.equal(await verifier.verify(study(false), adviceFor('edge'), input, variants, []), null);
  });

  test('what the lab cannot run is recorded as not run, with the reason and the prediction, never a figure', async () => {
    const cases: Array<[string, RegExp, string | null]> = [
      ['mobile', /on-device: the request crosses no link/, 'd-1'],
      ['mobile|edge', /partition runs on two tiers/, 'd-1'],
      ['cloud', /crosses 2 links; the lab emulates one/, 'd-1'],
      ['edge', /no dataset, so there is no client request/, null],
    ];
    for (const [scenario, reason, datasetId] of cases) {
      const v = await verifier.verify(study(true, datasetId), adviceFor(scenario), input, variants, []);
      assert.equal(v?.status, 'not-run', scenario);
      assert.match(v!.reason!, reason);
      assert.equal(v!.predictedP50Ms, 80);
      assert.equal(v!.measuredP50Ms, undefined);
    }
  });
});
