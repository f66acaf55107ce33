import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { AuthModule } from '../../auth/auth.module';
import { TeamsService } from '../../auth/teams.service';
import { ConfigModule } from '../../config/config.module';
import { PrismaModule } from '../../prisma/prisma.module';
import { Module } from '@nestjs/common';

@Module({ imports: [ConfigModule, PrismaModule, AuthModule] })
class KeysModule {}

export function register(program: Command): void {
  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('create a key for a team (the team is created when missing); the key is printed once')
    .requiredOption('--team <name>', 'team name')
    .option('--name <label>', 'a label for the key', 'cli')
    .option('--json', 'print JSON')
    .action(async (options: { team: string; name: string; json?: boolean }) => {
      const app = await NestFactory.createApplicationContext(KeysModule, { logger: false });
      try {
        const issued = await app.get(TeamsService).issueKey(options.team, options.name);
        process.stdout.write(options.json ? `${JSON.stringify({ team: issued.team.name, key: issued.key })}\n` : `${issued.key}\n`);
      } finally {
        await app.close();
      }
    });
}
