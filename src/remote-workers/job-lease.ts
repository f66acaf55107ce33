import { TierwiseError } from '../common/errors';
import { isBenchQueue } from '../jobs/job-catalogue';

/**
 * What a remote worker holds while it runs a job: the job's queue and id and the BullMQ lock token the api took it
 * with. It travels as one opaque header (`X-Job-Lease`), never in a URL, since the token is what proves the claim.
 * Nothing about it is stored: any api replica can check a lease against the lock in Redis.
 */
export interface JobLease {
  queue: string;
  jobId: string;
  token: string;
}

export const LEASE_HEADER = 'x-job-lease';

export function encodeLease(lease: JobLease): string {
  return Buffer.from(JSON.stringify([lease.queue, lease.jobId, lease.token]), 'utf8').toString('base64url');
}

export function decodeLease(header: string | string[] | undefined): JobLease {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new TierwiseError('JOB_LEASE_INVALID', `send the lease /v1/worker/jobs/next answered in the ${LEASE_HEADER} header`);
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 512))
    throw new TierwiseError('JOB_LEASE_INVALID', `the ${LEASE_HEADER} header is not a lease the api handed out`);
  const [queue, jobId, token] = parts as [string, string, string];
  if (!isBenchQueue(queue)) throw new TierwiseError('JOB_LEASE_INVALID', `the lease names queue ${queue}, which is not a tier's queue`);
  return { queue, jobId, token };
}
