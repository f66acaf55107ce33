import type { Command } from 'commander';
import { createApi } from '../../api/create-api';
import { loadConfig } from '../../config/env';

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the api (REST /v1, GraphQL /graphql, OpenAPI /docs, /health, /metrics)')
    .action(async () => {
      const config = loadConfig();
      const app = await createApi();
      await app.listen(config.PORT, config.HOST);
    });
}
