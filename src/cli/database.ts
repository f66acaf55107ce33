import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot } from '../common/paths';

/** Creates the database named in the URL when it is missing (the server itself must be running). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Applies the committed migrations (forward only) with Prisma's offline schema engine. */
export function migrate(url: string): void {
  const result = spawnSync(process.execPath, [join(repoRoot(), 'scripts/prisma.mjs'), 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}
