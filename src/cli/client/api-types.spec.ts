import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../common/paths';

test('the committed api-types.ts is what gen:api-client generates from the current OpenAPI document', { timeout: 120_000 }, () => {
  const run = spawnSync(process.execPath, [join(repoRoot(), 'scripts/gen-api-client.mjs'), '--check'], {
    encoding: 'utf8',
    env: process.env,
  });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /up to date/);
});
