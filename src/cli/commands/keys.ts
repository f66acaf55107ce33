import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { AuthModule } from '../../auth/auth.module';
import type { KeyView } from '../../auth/teams.repository';
import { TeamsService } from '../../auth/teams.service';
import { ConfigModule } from '../../config/config.module';
import { PrismaModule } from '../../prisma/prisma.module';

@Module({ imports: [ConfigModule, PrismaModule, AuthModule] })
class KeysCliModule {}

/** Runs `work` with the keys service on the database (no api needed), and closes it. */
async function withTeams<T>(work: (teams: TeamsService) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(KeysCliModule, { logger: false });
  try {
    return await work(app.get(TeamsService));
  } finally {
    await app.close();
  }
}

function keyLine(key: KeyView): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : `last used ${key.lastUsedAt ?? 'never'}`;
  const kind =
    key.kind === 'worker'
      ? `  worker token for ${key.tiers.length ? key.tiers.join(',') : 'any tier'}`
      : key.kind === 'member'
        ? '  member (no tier or key changes)'
        : '';
  return `${key.id}  ${(key.prefix || '(custom)').padEnd(8)}  ${key.name.padEnd(16)}  created ${key.createdAt}  ${state}${kind}`;
}

export function register(program: Command): void {
  const keys = program.command('keys').description('API keys (on the database: run where DATABASE_URL reaches it)');
  keys
    .command('create')
    .description('create a key for a team (the team is created when missing); the key is printed once')
    .option('--team <name>', 'team name (default: WORKER_KEYS_TEAM for --worker)')
    .option('--name <label>', 'a label for the key (default: cli, or worker)')
    .option('--worker', "a worker token: it may only take its tiers' jobs, fetch their inputs and post their results")
    .option('--member', "a member key: every route but those that change the team's tiers and keys (default: a team admin key)")
    .option('--tiers <list>', "a worker token's tiers, comma-separated (default: any)")
    .option('--json', 'print JSON')
    .action(async (options: { team?: string; name?: string; worker?: boolean; member?: boolean; tiers?: string; json?: boolean }) => {
      const tiers = (options.tiers ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      if (tiers.length > 0 && !options.worker) throw new Error('--tiers is for worker tokens: add --worker');
      const team = options.team ?? (options.worker ? (process.env.WORKER_KEYS_TEAM ?? 'default') : undefined);
      if (!team) throw new Error('give --team <name>');
      if (options.worker && options.member) throw new Error('a key is --worker or --member, not both');
      const grant = { kind: options.worker ? ('worker' as const) : options.member ? ('member' as const) : ('team' as const), tiers };
      const issued = await withTeams((teams) =>
        teams.issueKey(team, options.name ?? (options.worker ? 'worker' : 'cli'), undefined, grant),
      );
      process.stdout.write(
        options.json ? `${JSON.stringify({ team: issued.team.name, id: issued.view.id, key: issued.key })}\n` : `${issued.key}\n`,
      );
    });
  keys
    .command('list')
    .description("a team's keys: id, prefix, name, created, last used (to the minute) or revoked; never the key")
    .requiredOption('--team <name>', 'team name')
    .option('--json', 'print JSON')
    .action(async (options: { team: string; json?: boolean }) => {
      const list = await withTeams((teams) => teams.listTeamKeys(options.team));
      process.stdout.write(options.json ? `${JSON.stringify(list)}\n` : list.map((k) => `${keyLine(k)}\n`).join(''));
    });
  keys
    .command('revoke <id>')
    .description('revoke a key by id: it stops working within AUTH_CACHE_MS on every api process')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const key = await withTeams((teams) => teams.revokeKey(null, id));
      process.stdout.write(options.json ? `${JSON.stringify(key)}\n` : `${keyLine(key)}\n`);
    });
}
