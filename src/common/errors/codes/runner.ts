import { errorCodes } from '../entry';

/** The isolated runner: child processes, their memory and core limits. */
export const RUNNER_ERRORS = errorCodes({
  RUNNER_CRASHED: { status: 500, meaning: 'the child process died, could not start or printed no result' },
  RUNNER_TIMEOUT: { status: 504, meaning: 'the child process ran past its timeout and was killed' },
  RUNNER_OOM: { status: 422, meaning: 'the child process ran out of its tier’s memory limit' },
  CORES_BUSY: { status: 503, meaning: 'the cores a measurement needs stayed locked by another one' },
  CANCELLED: { status: 409, meaning: 'the work was cancelled while it ran' },
  ENVELOPE_INVALID: { status: 400, meaning: 'a resource envelope names cores or limits this host does not have' },
});
