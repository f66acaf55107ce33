import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { securityHeadersMiddleware } from '../common/http/security-headers.middleware';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { TeamsService } from '../auth/teams.service';
import { ApiModule } from './api.module';
import { openApiDocument } from './openapi-document';

/** Builds the api application (used by `tierwise serve` and by the integration tests). */
export async function createApi(options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(ApiModule, { bufferLogs: options.logger !== false, logger: options.logger, bodyParser: true });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // Before /docs (Swagger registers its routes straight on express) and every Nest route.
  app.use(securityHeadersMiddleware);
  const config = app.get<AppConfig>(APP_CONFIG);
  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  if (config.TIERWISE_API_KEY) await app.get(TeamsService).issueKey('default', 'TIERWISE_API_KEY', config.TIERWISE_API_KEY);
  return app;
}
