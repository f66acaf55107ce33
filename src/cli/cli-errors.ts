import { isTierwiseError } from '../common/errors';
import { ConfigError } from '../config/env';

/**
 * Codes only the CLI raises, with their meaning. They never reach HTTP, so they carry no status: the CLI maps
 * every failure it can explain to one exit code (EXIT_CODES.failure) and prints `CODE: message`.
 */
export const CLI_ERRORS = {
  API_KEY_MISSING: 'no --key and no TIERWISE_API_KEY',
  SERVER_INVALID: '--server is not an http(s) URL',
  SERVER_UNREACHABLE: 'the server did not answer (refused, reset, no route)',
  RESPONSE_INVALID: 'the server answered something that is not JSON',
  STREAM_EMPTY: 'the server answered an event stream request with no body',
  FILE_NOT_FOUND: 'a file or folder named on the command line does not exist',
  FILE_UNREADABLE: 'a file named on the command line cannot be read',
  VARIANT_INVALID: '--variant is not <operator>=<file.onnx>',
  CLI_INVALID: 'a command-line option is out of range',
  ACCURACY_TOLERANCE_NOT_MET: 'no quantized model stays within the allowed accuracy drop',
  STUDY_TIMEOUT: '--wait ran out while the study was still running',
  STUDY_CANCELLED: 'the study followed was cancelled',
  STUDY_FAILED: 'the study followed failed',
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

/** A failure of the command line itself (its arguments, its files, its connection to the server). */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The api answered non-2xx: its own code (or HTTP_<status> from a server that is not Tierwise) and status. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The CLI's exit codes: 0 done, 1 a bug (stack printed), 2 a failure the message explains. */
export const EXIT_CODES = { ok: 0, bug: 1, failure: 2 } as const;

/** `CODE: message` for a failure the CLI can explain (a domain, CLI or api error), else undefined. */
export function explainFailure(error: unknown): string | undefined {
  if (isTierwiseError(error) || error instanceof CliError || error instanceof ApiError) return `${error.code}: ${error.message}`;
  return undefined;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof ConfigError || explainFailure(error) !== undefined ? EXIT_CODES.failure : EXIT_CODES.bug;
}
