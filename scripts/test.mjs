#!/usr/bin/env node
// npm test: prepares the test database (created and migrated when missing), then runs every compiled
// *.spec.js (unit tests beside the code) and test/**/*.test.js (integration tests) with node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/tierwise_test';
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.ALLOW_PRIVATE_WEBHOOKS ??= 'true';

// npm test builds first, so the compiled helper `tierwise start` uses is there to create the database.
const { ensureDatabase } = createRequire(import.meta.url)('../dist/src/cli/database.js');
await ensureDatabase(process.env.DATABASE_URL);
const migrate = spawnSync(process.execPath, [join(root, 'scripts/prisma.mjs'), 'migrate', 'deploy'], {
  stdio: 'inherit',
  env: process.env,
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const only = process.argv.slice(2);
function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'fixtures' && name !== 'generated') collect(path, out);
    } else if (/\.(spec|test)\.js$/.test(name) && (only.length === 0 || only.some((o) => path.includes(o)))) out.push(path);
  }
  return out;
}
const files = [...collect(join(root, 'dist/src')), ...collect(join(root, 'dist/test'))].sort();
if (files.some((f) => f.includes('/test/browser/'))) (await import('./ensure-chromium.mjs')).ensureChromium();
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: process.env,
});
process.exit(run.status ?? 1);
