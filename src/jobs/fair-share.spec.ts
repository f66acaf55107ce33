import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PRIORITY, fairPriority } from './fair-share';

test('a team with one study goes ahead of every study of a team with a backlog', () => {
  const light = fairPriority(1, 0);
  const heavy = Array.from({ length: 20 }, (_, rank) => fairPriority(20, rank));
  assert.equal(light, 1);
  assert.ok(heavy.every((p) => p > light));
  assert.deepEqual(
    heavy,
    [...heavy].sort((a, b) => a - b),
    "a team's own studies keep their order",
  );
});

test('priorities stay within what BullMQ accepts', () => {
  assert.equal(fairPriority(0, 0), 1);
  assert.equal(fairPriority(10 ** 9, 10 ** 9), MAX_PRIORITY);
});
