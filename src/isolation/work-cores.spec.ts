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

test('services go to the work cores; start-up names the tiers that still share them', async () => {
  const { placementNote } = await import('../cli/commands/start');
  const { servicePlacement } = await import('./work-cores');
  const saved = process.env.TIERWISE_TIERS;
  delete process.env.TIERWISE_TIERS;
  try {
    const two = servicePlacement([0, 1]);
    assert.deepEqual(two.cores, [0]);
    assert.deepEqual(two.shared, [{ tier: 'cloud', cores: [0, 1] }]);
    assert.match(placementNote(two, [0, 1], true), /core\(s\) 0 of 0,1; this host has no cores to spare for cloud \(cores 0,1\)/);
    assert.match(placementNote(two, [0, 1], false), /taskset is unavailable/);
    process.env.TIERWISE_TIERS = JSON.stringify({ cloud: { cpus: 1, threads: 1, memoryMB: 8192 } });
    const spare = servicePlacement([0, 1]);
    assert.deepEqual(spare, { cores: [0], shared: [] });
    assert.match(placementNote(spare, [0, 1], true), /off every tier's measuring cores/);
  } finally {
    if (saved !== undefined) process.env.TIERWISE_TIERS = saved;
    else delete process.env.TIERWISE_TIERS;
  }
});
