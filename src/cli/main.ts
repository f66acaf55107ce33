#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '../config/env';
import { exitCodeOf, explainFailure } from './cli-errors';

/**
 * The `tierwise` command. Each sub-command lives in ./commands/<name>.ts and exports
 * `register(program: Command): void`; add it to the list below.
 */
// Loaded lazily with require(), so `tierwise --help` does not pay for every command's imports.
/* eslint-disable @typescript-eslint/no-require-imports */
const commandModules: Array<() => { register(program: Command): void }> = [
  () => require('./commands/quantize'),
  () => require('./commands/bench'),
  () => require('./commands/netcheck'),
  () => require('./commands/calibrate'),
  () => require('./commands/start'),
  () => require('./commands/serve'),
  () => require('./commands/worker'),
  () => require('./commands/keys'),
  () => require('./commands/eval'),
  () => require('./commands/partition'),
  () => require('./commands/early-exit'),
  () => require('./commands/prune'),
  () => require('./commands/study'),
  () => require('./commands/models'),
];
/* eslint-enable @typescript-eslint/no-require-imports */

async function main(argv: string[]): Promise<void> {
  const program = new Command('tierwise').description('Where should this ONNX model run, and in what form?').showHelpAfterError();
  for (const load of commandModules) load().register(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  const explained = error instanceof ConfigError ? error.message : explainFailure(error);
  process.stderr.write(`${explained ?? (error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
  process.exit(exitCodeOf(error));
});
