import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { generateApiKey } from '../../auth/api-key';
import { repoRoot } from '../../common/paths';
import { loadConfig } from '../../config/env';
import { configuredTiers } from '../../benchmark/tiers';
import { ensureDatabase, migrate } from '../database';

/** The key `npm start` prints: TIERWISE_API_KEY when set, else one kept in var/ so restarts reuse it. */
async function localKey(blobDir: string): Promise<string> {
  const file = join(dirname(blobDir), 'api-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = generateApiKey();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('everything on one machine: create and migrate the database, then the api, a build/evaluate/advise/webhook worker and one worker per tier')
    .action(async () => {
      const config = loadConfig();
      await ensureDatabase(config.DATABASE_URL);
      migrate(config.DATABASE_URL);
      const key = config.TIERWISE_API_KEY ?? (await localKey(config.BLOB_DIR));
      const env = { ...process.env, TIERWISE_API_KEY: key };
      const main = join(repoRoot(), 'dist/src/cli/main.js');
      const roles = [['serve'], ['worker', '--queues', 'build,evaluate,advise,webhook'], ...Object.keys(configuredTiers()).map((tier) => ['worker', '--tier', tier])];
      const children: ChildProcess[] = roles.map((args) => spawn(process.execPath, [main, ...args], { env, stdio: 'inherit' }));
      let stopping = false;
      const stop = (code: number) => {
        if (stopping) return;
        stopping = true;
        for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
        setTimeout(() => process.exit(code), 10_000).unref();
        void Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))))).then(() => process.exit(code));
      };
      children.forEach((child, i) =>
        child.once('exit', (code, signal) => {
          if (stopping) return;
          process.stderr.write(`tierwise ${roles[i].join(' ')} exited (${signal ?? code}); stopping the others\n`);
          stop(1);
        }),
      );
      process.once('SIGINT', () => stop(0));
      process.once('SIGTERM', () => stop(0));
      const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
      process.stdout.write(
        `\nTierwise is starting on http://${host}:${config.PORT}  (REST /v1, GraphQL /graphql, OpenAPI /docs)\n` +
          `API key (team "default"): ${key}\n` +
          `Try: curl -H "Authorization: Bearer ${key}" -F file=@test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx -F name=resnet http://${host}:${config.PORT}/v1/models\n\n`,
      );
    });
}
