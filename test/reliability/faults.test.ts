import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAULTS, FaultDeployment } from './faults';

/** The api's peak resident set under every fault stays below this. */
const API_RSS_BOUND_MIB = 768;

describe('reliability: a study survives a killed api, tier worker or job worker, a Redis restart and dropped Postgres connections', () => {
  let deployment: FaultDeployment;

  before(async () => {
    deployment = await FaultDeployment.start();
  });
  after(async () => deployment?.stop());

  for (const fault of FAULTS) {
    test(fault, async () => {
      const outcome = await deployment.run(fault);
      console.log(`fault ${JSON.stringify(outcome)}`);
      assert.equal(outcome.status, 'completed', JSON.stringify(outcome));
      assert.equal(outcome.measurements, outcome.expectedMeasurements, 'one measurement per bench job, none lost or duplicated');
      assert.equal(outcome.accuracyRows, 1, 'one accuracy row for the variant');
      assert.equal(outcome.webhookMessages, 1, 'one webhook message');
      assert.equal(outcome.webhookPosts, 1, 'delivered once');
      assert.equal(outcome.responses5xx, 0);
      assert.equal(outcome.crashes, 0, 'no process died on its own');
      if (fault === 'postgres-dropped') assert.ok(outcome.backendsTerminated >= 3, `${outcome.backendsTerminated} connections terminated`);
      assert.ok(outcome.peakApiRssMiB > 0 && outcome.peakApiRssMiB < API_RSS_BOUND_MIB, `api peak RSS ${outcome.peakApiRssMiB} MiB`);
    });
  }
});
