import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workCores } from './work-cores';

test('build and evaluation work stays off the cores mobile and edge measure on', () => {
  const saved = process.env.TIERWISE_TIERS;
  delete process.env.TIERWISE_TIERS;
  try {
    assert.deepEqual(workCores([0, 1]), [0]);
    assert.deepEqual(workCores([0, 1, 2, 3, 4, 5, 6, 7]), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(workCores([3]), [3]);
  } finally {
    if (saved !== undefined) process.env.TIERWISE_TIERS = saved;
  }
});
