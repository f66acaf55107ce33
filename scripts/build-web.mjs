#!/usr/bin/env node
// Builds the dashboard: type-checks src/web/client (its own tsconfig, DOM lib), bundles it with esbuild into
// dist/ui/app.js (one file, no inline script, same-origin only) and copies the page and stylesheet beside it.
// The advisor modules the page imports are bundled from src/advisor: one implementation for server and browser.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const client = join(root, 'src/web/client');
const out = join(root, 'dist/ui');
const require = createRequire(import.meta.url);

if (!process.argv.includes('--no-check')) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(client, 'tsconfig.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(client, 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022'],
  sourcemap: 'linked',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(join(client, file), join(out, file));
