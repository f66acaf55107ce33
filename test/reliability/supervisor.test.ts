import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Supervisor } from '../../src/cli/commands/start';
import { until } from './support';

const alive = (pid: number | undefined) => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

describe('reliability: tierwise start supervises its children', () => {
  test('a crashed child is restarted with backoff and the others keep running', async () => {
    const forever = ['-e', 'setInterval(() => {}, 1000)'];
    const lines: string[] = [];
    const supervisor = new Supervisor(
      [
        { name: 'api', command: process.execPath, args: forever, stdio: 'ignore' },
        { name: 'worker', command: process.execPath, args: forever, stdio: 'ignore' },
        { name: 'crashy', command: process.execPath, args: ['-e', 'process.exit(3)'], stdio: 'ignore' },
      ],
      { initialBackoffMs: 50, maxBackoffMs: 400, log: (l) => lines.push(l) },
    );
    supervisor.start();
    try {
      const api = supervisor.children.get('api')!;
      const worker = supervisor.children.get('worker')!;
      await until(() => alive(api.pid) && alive(worker.pid), 3000);
      api.kill('SIGKILL');
      assert.ok(
        await until(() => supervisor.children.get('api')!.pid !== api.pid && alive(supervisor.children.get('api')!.pid), 5000),
        'api restarted',
      );
      assert.equal(supervisor.children.get('worker'), worker, 'the worker was not touched');
      assert.ok(alive(worker.pid), 'the worker kept running');
      // A child that keeps crashing is restarted with growing delays, not in a hot loop.
      assert.ok(
        await until(() => (supervisor.restarts.get('crashy') ?? 0) >= 5, 20_000),
        `crashy restarted ${supervisor.restarts.get('crashy')} times`,
      );
      const delays = lines.filter((l) => l.startsWith('tierwise crashy')).map((l) => Number(/restarting in (\d+) ms/.exec(l)![1]));
      assert.deepEqual(delays.slice(0, 5), [50, 100, 200, 400, 400]);
    } finally {
      await supervisor.stop();
    }
    assert.ok(![...supervisor.children.values()].some((c) => alive(c.pid)), 'stop() ends every child');
  });
});
