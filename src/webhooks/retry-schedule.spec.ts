import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ATTEMPTS, RETRY_JITTER, RETRY_SCHEDULE_MS, retryDelayMs } from './retry-schedule';

const DAY = 24 * 3600 * 1000;

describe('webhook retry schedule', () => {
  test('starts at 5 s, grows, and is capped at 12 h', () => {
    assert.equal(RETRY_SCHEDULE_MS[0], 5000);
    assert.equal(RETRY_SCHEDULE_MS[1], 30_000);
    for (let i = 1; i < RETRY_SCHEDULE_MS.length; i++) assert.ok(RETRY_SCHEDULE_MS[i] >= RETRY_SCHEDULE_MS[i - 1]);
    assert.equal(Math.max(...RETRY_SCHEDULE_MS), 12 * 3600 * 1000);
    assert.equal(MAX_ATTEMPTS, RETRY_SCHEDULE_MS.length + 1);
  });

  test('keeps retrying for more than a day even when every delay is jittered to its shortest', () => {
    const shortest = RETRY_SCHEDULE_MS.map((_, i) => retryDelayMs(i + 1, 1, () => 0)!);
    assert.ok(shortest.reduce((a, b) => a + b, 0) > DAY, `earliest schedule covers ${shortest.reduce((a, b) => a + b, 0) / 3600e3} h`);
    const nominal = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    assert.ok(nominal < 2 * DAY, 'and gives up within two days');
  });

  test('jitter stays within ±20% of the nominal delay', () => {
    assert.equal(RETRY_JITTER, 0.2);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const nominal = RETRY_SCHEDULE_MS[attempt - 1];
      assert.equal(
        retryDelayMs(attempt, 1, () => 0),
        Math.round(nominal * 0.8),
      );
      assert.equal(
        retryDelayMs(attempt, 1, () => 0.5),
        nominal,
      );
      assert.equal(
        retryDelayMs(attempt, 1, () => 0.999999),
        Math.round(nominal * 1.2 - nominal * 0.4 * 0.000001),
      );
      for (let i = 0; i < 50; i++) {
        const delay = retryDelayMs(attempt)!;
        assert.ok(delay >= nominal * 0.8 && delay <= nominal * 1.2, `attempt ${attempt}: ${delay} vs ${nominal}`);
      }
    }
  });

  test('the scale shrinks every delay (tests), and the last attempt has no retry', () => {
    assert.equal(
      retryDelayMs(1, 0.001, () => 0.5),
      5,
    );
    assert.equal(
      retryDelayMs(2, 0.001, () => 0.5),
      30,
    );
    assert.equal(
      retryDelayMs(MAX_ATTEMPTS - 1, 1, () => 0.5),
      RETRY_SCHEDULE_MS[RETRY_SCHEDULE_MS.length - 1],
    );
    assert.equal(retryDelayMs(MAX_ATTEMPTS), null);
  });
});
