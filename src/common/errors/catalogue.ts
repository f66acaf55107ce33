import { ADVISOR_ERRORS } from './codes/advisor';
import { AUTH_ERRORS } from './codes/auth';
import { BENCHMARK_ERRORS } from './codes/benchmark';
import { DATASET_ERRORS } from './codes/datasets';
import { EVALUATION_ERRORS } from './codes/evaluation';
import { HTTP_ERRORS } from './codes/http';
import { JOB_ERRORS } from './codes/jobs';
import { MODEL_ERRORS } from './codes/models';
import { NETLAB_ERRORS } from './codes/netlab';
import { ONNX_ERRORS } from './codes/onnx';
import { OPERATOR_ERRORS } from './codes/operators';
import { RUNNER_ERRORS } from './codes/runner';
import { STUDY_ERRORS } from './codes/studies';
import { WEBHOOK_ERRORS } from './codes/webhooks';
import { WORKER_ERRORS } from './codes/workers';
import type { ErrorEntry, HttpErrorStatus } from './entry';

/** Every domain's codes, by domain (the catalogue spec checks that no code is defined twice). */
export const ERROR_DOMAINS = {
  http: HTTP_ERRORS,
  auth: AUTH_ERRORS,
  models: MODEL_ERRORS,
  onnx: ONNX_ERRORS,
  datasets: DATASET_ERRORS,
  studies: STUDY_ERRORS,
  jobs: JOB_ERRORS,
  operators: OPERATOR_ERRORS,
  runner: RUNNER_ERRORS,
  benchmark: BENCHMARK_ERRORS,
  evaluation: EVALUATION_ERRORS,
  advisor: ADVISOR_ERRORS,
  webhooks: WEBHOOK_ERRORS,
  netlab: NETLAB_ERRORS,
  workers: WORKER_ERRORS,
} as const;

/** The one list of error codes: each with its meaning and HTTP status. */
export const ERROR_CATALOGUE = {
  ...HTTP_ERRORS,
  ...AUTH_ERRORS,
  ...MODEL_ERRORS,
  ...ONNX_ERRORS,
  ...DATASET_ERRORS,
  ...STUDY_ERRORS,
  ...JOB_ERRORS,
  ...OPERATOR_ERRORS,
  ...RUNNER_ERRORS,
  ...BENCHMARK_ERRORS,
  ...EVALUATION_ERRORS,
  ...ADVISOR_ERRORS,
  ...WEBHOOK_ERRORS,
  ...NETLAB_ERRORS,
  ...WORKER_ERRORS,
} as const;

/** A code a TierwiseError may carry: a name in the catalogue, so a typo does not compile. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

const entries: Readonly<Record<ErrorCode, ErrorEntry>> = ERROR_CATALOGUE;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}

export function errorEntry(code: ErrorCode): ErrorEntry {
  return entries[code];
}

/** The HTTP status of a code: read by the REST filter and the GraphQL error, nowhere else. */
export function httpStatusOf(code: ErrorCode): HttpErrorStatus {
  return entries[code].status;
}

/** The code a client sees for a catalogue row (its own name unless it shares an older public code). */
export function publicCodeOf(code: ErrorCode): ErrorCode {
  const shared = entries[code].publicCode;
  return shared !== undefined && isErrorCode(shared) ? shared : code;
}
