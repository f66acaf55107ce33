import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTierwiseError } from '../common/errors';
import { decodeLease, encodeLease } from './job-lease';
import { checkMeasurement } from './measurement-check';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isTierwiseError(error) ? error.code : 'not a TierwiseError';
  }
  return 'no error';
};

describe('job leases', () => {
  test('a lease round-trips, and anything else is JOB_LEASE_INVALID', () => {
    const lease = { queue: 'bench-edge', jobId: 'bench:abc:v1:edge:whole', token: '6c1b…' };
    assert.deepEqual(decodeLease(encodeLease(lease)), lease);
    assert.deepEqual(decodeLease([encodeLease(lease)]), lease);
    assert.equal(
      code(() => decodeLease(undefined)),
      'JOB_LEASE_INVALID',
    );
    assert.equal(
      code(() => decodeLease('not-base64-json')),
      'JOB_LEASE_INVALID',
    );
    assert.equal(
      code(() => decodeLease(Buffer.from('["a","b"]').toString('base64url'))),
      'JOB_LEASE_INVALID',
    );
    // Only a tier's queue travels to remote workers: a lease on `build` is refused before Redis is asked.
    assert.equal(
      code(() => decodeLease(encodeLease({ ...lease, queue: 'build' }))),
      'JOB_LEASE_INVALID',
    );
  });
});

describe('measurements posted by a remote worker', () => {
  const good = {
    variantId: 'v',
    tier: 'edge',
    part: 'whole',
    method: 'scaled',
    slowdown: 2,
    p50Ms: 1.5,
    samplesMs: [1.4, 1.5],
    samplesRawMs: [0.7, 0.75],
    peakRssBytes: 1e8,
    envelope: {},
    cut: null,
  };
  test('known columns with finite figures pass unchanged', () => {
    assert.deepEqual(checkMeasurement({ ...good }), good);
  });
  test('unknown columns, missing figures, non-finite numbers and api-set columns are VALIDATION_FAILED', () => {
    assert.equal(
      code(() => checkMeasurement({ ...good, studyId: 'other' })),
      'VALIDATION_FAILED',
    );
    assert.equal(
      code(() => checkMeasurement({ ...good, teamId: 't' })),
      'VALIDATION_FAILED',
    );
    const { p50Ms: _p50, ...noP50 } = good;
    assert.equal(
      code(() => checkMeasurement(noP50)),
      'VALIDATION_FAILED',
    );
    assert.equal(
      code(() => checkMeasurement({ ...good, p90Ms: Number.NaN })),
      'VALIDATION_FAILED',
    );
    assert.equal(
      code(() => checkMeasurement({ ...good, samplesMs: [1, 'x'] })),
      'VALIDATION_FAILED',
    );
    assert.equal(
      code(() => checkMeasurement({ ...good, tier: 3 })),
      'VALIDATION_FAILED',
    );
  });
});
