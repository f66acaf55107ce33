import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { MiddlewareConsumer, Module, NestModule, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { graphqlContext } from '../common/graphql/context';
import { ApiKeyGuard } from '../auth/auth.guard';
import { AuthModule } from '../auth/auth.module';
import { KeysModule } from '../auth/keys.module';
import { blobLeaseMiddleware } from '../blobs/blob-leases';
import { BlobsModule } from '../blobs/blobs.module';
import { BlobsService } from '../blobs/blobs.service';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter';
import { correlationMiddleware } from '../common/http/correlation.middleware';
import { ConfigModule } from '../config/config.module';
import { LoggingModule } from '../common/logging/logging.module';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { graphqlLimitsRule } from './graphql-limits';
import { HealthModule } from '../health/health.module';
import { QueueDashboardModule } from '../admin/queue-dashboard';
import { KeyThrottlerGuard, RateLimitModule } from './rate-limit';
import { JobsModule } from '../jobs/jobs.module';
import { ViewCacheModule } from '../common/cache/view-cache';
import { MetricsController } from '../metrics/metrics.controller';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware';
import { DatasetsModule } from '../datasets/datasets.module';
import { ModelsModule } from '../models/models.module';
import { StudiesModule } from '../studies/studies.module';
import { PrismaModule } from '../prisma/prisma.module';
import { TiersModule } from '../tiers/tiers.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { WebModule } from '../web/web.module';
import { RemoteWorkersModule } from '../remote-workers/remote-workers.module';

/** The HTTP process: REST under /v1, GraphQL at /graphql, OpenAPI at /docs, /health and /metrics. */
@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    PrismaModule,
    BlobsModule,
    JobsModule,
    ViewCacheModule,
    AuthModule,
    TiersModule,
    RateLimitModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        autoSchemaFile: true,
        sortSchema: true,
        playground: false,
        introspection: true,
        subscriptions: { 'graphql-ws': true },
        context: graphqlContext,
        includeStacktraceInErrorResponses: false,
        validationRules: [
          graphqlLimitsRule({
            maxDepth: config.GRAPHQL_MAX_DEPTH,
            maxAliases: config.GRAPHQL_MAX_ALIASES,
            maxFields: config.GRAPHQL_MAX_FIELDS,
          }),
        ],
      }),
    }),
    ModelsModule,
    DatasetsModule,
    StudiesModule,
    WebhooksModule,
    WebModule,
    HealthModule,
    QueueDashboardModule,
    KeysModule,
    RemoteWorkersModule,
  ],
  controllers: [MetricsController],
  providers: [
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    // After the key guard, so limits count per key.
    { provide: APP_GUARD, useClass: KeyThrottlerGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, transform: true, forbidNonWhitelisted: true }) },
  ],
})
export class ApiModule implements NestModule {
  constructor(private readonly blobs: BlobsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        correlationMiddleware,
        httpMetricsMiddleware,
        blobLeaseMiddleware((ids) => this.blobs.settle(ids)),
      )
      .forRoutes('*');
  }
}
