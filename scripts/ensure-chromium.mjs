#!/usr/bin/env node
// The browser tests drive Debian's Chromium through playwright-core (which downloads no browser). When it is
// missing, install it with apt-get (as root), or say exactly what to do. CHROMIUM_PATH points at another build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  const canInstall = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!canInstall) {
    console.error(
      `${path} is missing and cannot be installed here: run "apt-get update && apt-get install -y chromium" as root, or set CHROMIUM_PATH`,
    );
    process.exit(1);
  }
  console.log(`${path} is missing: installing Debian's chromium for the browser tests`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
