import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import type { IncomingMessage } from 'node:http';
import { ConfigModule } from '../../config/config.module';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { correlationId } from '../correlation';
import { requestCorrelationId } from '../http/correlation.middleware';

/** LOG_LEVEL keeps Nest's names (the configuration table documents them); pino has its own. */
const PINO_LEVEL: Record<AppConfig['LOG_LEVEL'], string> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Routes that are polled by machines: their requests are not logged one by one. */
const QUIET_ROUTES = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Structured JSON logs (pino) for the api and the workers: one line per event, `LOG_LEVEL` honoured, and the
 * correlation id of the request or job on every line — requests take it from `X-Correlation-Id` (see
 * correlation.middleware.ts), jobs carry it from the request that enqueued them.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [ConfigModule],
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Written asynchronously (sonic-boom): lines that pile up under load go out in one write, not one syscall each.
        pinoHttp: [
          {
            level: PINO_LEVEL[config.LOG_LEVEL],
            base: { service: 'tierwise' },
            messageKey: 'message',
            mixin: () => {
              const id = correlationId();
              return id ? { correlationId: id } : {};
            },
            genReqId: (req: IncomingMessage) => requestCorrelationId(req),
            autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.test(req.url ?? '') },
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
            // A request line names the method, url and status: pino-http's default `res` serializer copies every
            // response header into every line, a cost the read path paid on each request.
            serializers: {
              req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
          destination({ dest: 1, sync: false }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
