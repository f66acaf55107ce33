import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../src/common/paths';
import { JobName } from '../src/jobs/job-catalogue';
import { QueuesService } from '../src/jobs/queues.service';
import { startMetricsServer } from '../src/metrics/metrics-server';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';

isolateEnvironment();
const ADMIN_KEY = 'admin-key-for-the-queue-dashboard';
process.env.ADMIN_API_KEY = ADMIN_KEY;

describe('operator pages: the queue dashboard and worker metrics', () => {
  let api: Api;
  let auth: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(() => api.close());

  test('/admin/queues needs ADMIN_API_KEY: a team key does not open it', async () => {
    const none = await api.http.get('/admin/queues').expect(401);
    assert.equal(none.body.code, 'ADMIN_KEY_REQUIRED');
    assert.match(String(none.headers['www-authenticate']), /^Basic/);
    await api.http.get('/admin/queues').set(auth).expect(401);
    await api.http.get('/admin/queues').set('Authorization', 'Bearer wrong-key-of-the-same-len').expect(401);
  });

  test('with the admin key (Bearer or Basic) the board lists every queue of the catalogue and each tier', async () => {
    const page = await api.http.get('/admin/queues').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);
    assert.match(page.headers['content-type'], /text\/html/);
    const basic = `Basic ${Buffer.from(`ops:${ADMIN_KEY}`).toString('base64')}`;
    const res = await api.http.get('/admin/queues/api/queues').set('Authorization', basic).expect(200);
    const names = (res.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    for (const name of ['advise', 'build', 'evaluate', 'webhook', 'bench-mobile', 'bench-edge', 'bench-cloud'])
      assert.ok(names.includes(name), `${name} in ${names}`);
  });

  test('a worker exports the jobs it finished on its own /metrics, labelled with its role', async () => {
    const worker = await startWorker({ queues: ['advise'] });
    const queues = worker.get(QueuesService);
    try {
      await queues.add(JobName.AdviseStudy, { studyId: 'no-such-study' });
      const server = await startMetricsServer(0, { role: 'jobs' }, '127.0.0.1');
      const port = (server.address() as { port: number }).port;
      let text = '';
      for (let i = 0; i < 100 && !/tierwise_jobs_finished_total\{[^}]*queue="advise"/.test(text); i++) {
        await new Promise((r) => setTimeout(r, 100));
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      }
      assert.match(text, /tierwise_jobs_finished_total\{queue="advise",outcome="(completed|failed)",role="jobs"\} 1/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
      server.close();
    } finally {
      await worker.close();
    }
  });

  test('`tierwise worker --metrics-port` serves /metrics from the worker process', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot(), 'dist/src/cli/main.js'), 'worker', '--queues', 'webhook', '--metrics-port', '0'],
      { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          const m = /worker metrics on :(\d+)\/metrics/.exec(err);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
        setTimeout(() => reject(new Error(`no metrics port announced: ${err}`)), 20_000).unref();
      });
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /# TYPE tierwise_jobs_finished_total counter/);
      assert.match(text, /tierwise_process_cpu_seconds_total\{role="jobs"\}/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
