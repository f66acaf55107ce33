import { errorCodes } from '../entry';

/** Workers on other machines: job leases over HTTP and the blobs they fetch. */
export const WORKER_ERRORS = errorCodes({
  JOB_LEASE_INVALID: { status: 400, meaning: 'the X-Job-Lease header is missing or is not a lease the api handed out' },
  JOB_LEASE_LOST: {
    status: 409,
    meaning: 'the job is no longer held under this lease (its lock ran out, it finished, or another worker took it)',
  },
  TIER_NOT_ALLOWED: { status: 403, meaning: 'the worker token does not serve that tier, or the tier is not configured' },
  BLOB_NOT_IN_JOB: { status: 403, meaning: 'a worker may fetch only the blobs of a job it holds' },
  MEASUREMENT_MISMATCH: { status: 422, meaning: "a posted measurement names another study, variant, tier or part than the held job's" },
  BLOB_FETCH_FAILED: { status: 503, meaning: 'a worker could not fetch a blob from the api (retried)' },
  BLOB_CORRUPT: { status: 503, meaning: "a fetched blob's sha256 did not match its name; the copy was dropped (retried)" },
  WORKER_API_UNREACHABLE: { status: 503, meaning: "a remote worker's call to the api failed (network or 5xx; retried)" },
});
