import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { childEntry } from './entries';
import { TierwiseError } from '../common/errors';
import { runChild, runChildDetailed } from './child-process';
import { detectCapabilities } from './cgroups';
import type { ProbeAction, ProbeReply } from './entries/probe-main';

const entry = childEntry('probe');
const caps = detectCapabilities();
const probe = (input: ProbeAction, envelope = {}, timeoutMs = 20_000) =>
  runChildDetailed<ProbeReply>({ entry, input, timeoutMs, envelope, label: `probe ${input.action}` });

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TierwiseError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TierwiseError, `expected a TierwiseError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but the child succeeded`);
}

describe('runChild', () => {
  test('returns the JSON the child prints', async () => {
    const reply = await runChild<ProbeReply>({ entry, input: { action: 'whoami' }, timeoutMs: 20_000 });
    assert.ok(reply.pid > 0 && reply.pid !== process.pid);
  });

  test('a non-zero exit is RUNNER_CRASHED with the stderr tail', async () => {
    const error = await rejectsWith(probe({ action: 'exit', code: 3 }), 'RUNNER_CRASHED');
    assert.match(String(error.details?.stderrTail), /exiting with 3 on purpose/);
    assert.equal(error.details?.exitCode, 3);
  });

  test('output that is not JSON is RUNNER_CRASHED', async () => {
    await rejectsWith(probe({ action: 'garbage' }), 'RUNNER_CRASHED');
  });

  test('a TierwiseError thrown in the child keeps its code', async () => {
    await rejectsWith(probe({ action: 'fail', code: 'MODEL_INVALID' }), 'MODEL_INVALID');
  });

  test('a hang is killed after the timeout: RUNNER_TIMEOUT', async () => {
    const started = Date.now();
    await rejectsWith(probe({ action: 'hang' }, {}, 1500), 'RUNNER_TIMEOUT');
    assert.ok(Date.now() - started < 10_000);
  });

  test('pinning applies: the child sees only the cores it was given', { skip: caps.taskset ? false : 'taskset unavailable' }, async () => {
    const core = caps.hostCores[caps.hostCores.length - 1]!;
    const run = await probe({ action: 'whoami' }, { cores: [core] });
    assert.equal(run.result.cpusAllowedList, String(core));
    assert.deepEqual(run.enforcement.pinnedCores, [core]);
  });

  test(
    'a memory cgroup stops an over-allocating child: RUNNER_OOM, and the parent lives',
    { skip: caps.memoryCgroup ? false : 'no memory cgroup can be made here' },
    async () => {
      const error = await rejectsWith(probe({ action: 'allocate', mb: 600 }, { memoryMB: 160 }), 'RUNNER_OOM');
      assert.match(error.message, /cgroup-v[12]/);
      const after = await probe({ action: 'allocate', mb: 20 }, { memoryMB: 160 });
      assert.equal(after.result.allocatedMB, 20);
      assert.match(after.result.cgroups, /tierwise-/);
    },
  );

  test('without cgroups the RSS watchdog stops an over-allocating child: RUNNER_OOM', async () => {
    const error = await rejectsWith(probe({ action: 'allocate', mb: 2000 }, { memoryMB: 160, cgroups: false }), 'RUNNER_OOM');
    assert.equal((error.details?.enforcement as { memory: { mechanism: string } }).memory.mechanism, 'watchdog');
  });

  test(
    'a 0.25-CPU quota gives a busy loop about a quarter of a core',
    { skip: caps.cpuCgroup ? false : 'no cpu cgroup can be made here' },
    async () => {
      const free = await probe({ action: 'busy', ms: 600 }, { cores: caps.taskset ? [caps.hostCores[0]!] : undefined });
      const limited = await probe({ action: 'busy', ms: 1200 }, { quotaCpus: 0.25, quotaPeriodUs: 20_000 });
      assert.equal(limited.enforcement.cpuQuota.cpus, 0.25);
      assert.ok(free.result.cpuShare! > 0.5, `unthrottled share ${free.result.cpuShare}`);
      assert.ok(limited.result.cpuShare! > 0.12 && limited.result.cpuShare! < 0.38, `throttled share ${limited.result.cpuShare}`);
    },
  );
});
