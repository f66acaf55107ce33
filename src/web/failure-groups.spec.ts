import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupFailures, messageKey } from './failure-groups';

describe('failure groups', () => {
  test('the same failure on two model files is one message with both jobs; other codes and messages stay apart', () => {
    const oom = (path: string, variantId: string) => ({
      job: 'bench whole',
      tier: 'mobile',
      variantId,
      code: 'RUNNER_OOM',
      message: `runner ${path} on mobile: killed by the OOM killer at the 16 MiB memory limit`,
    });
    const groups = groupFailures([
      oom('/tmp/blobs-a/76/769db2.onnx', 'a'),
      oom('/tmp/blobs-a/42/4231d2.onnx', 'b'),
      { job: 'build sptq', code: 'BUILD_FAILED', message: 'calibration set too small' },
      {
        job: 'bench whole',
        tier: 'edge',
        variantId: 'a',
        code: 'RUNNER_OOM',
        message: 'runner /x/y.onnx on edge: killed by the OOM killer at the 64 MiB memory limit',
      },
    ]);
    assert.deepEqual(
      groups.map((g) => g.code),
      ['RUNNER_OOM', 'BUILD_FAILED'],
    );
    assert.deepEqual(
      groups[0].messages.map((m) => [m.message, m.failures.map((f) => f.variantId)]),
      [
        ['runner … on mobile: killed by the OOM killer at the 16 MiB memory limit', ['a', 'b']],
        ['runner … on edge: killed by the OOM killer at the 64 MiB memory limit', ['a']],
      ],
    );
    assert.equal(messageKey('no path here: 3/4 done'), 'no path here: 3/4 done');
  });
});
