#!/usr/bin/env node
// Runs the Prisma CLI with DATABASE_URL defaulted to the local database, because Prisma 6.19 only takes the
// offline (WebAssembly) path when it can read the datasource URL; otherwise it tries to download an engine.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tierwise' };
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
