import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { correlationId } from './correlation';

const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's console logger with the correlation id on every line. */
export class TierwiseLogger extends ConsoleLogger {
  constructor(level: LogLevel = 'log') {
    super('Tierwise', { logLevels: levels.slice(0, levels.indexOf(level) + 1) });
  }

  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
  ): string {
    const id = correlationId();
    const prefixed = id ? `[cid=${id}] ${contextMessage}` : contextMessage;
    return super.formatMessage(logLevel, message, pidMessage, formattedLogLevel, prefixed, timestampDiff);
  }
}
