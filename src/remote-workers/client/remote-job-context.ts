import { AsyncLocalStorage } from 'node:async_hooks';
import { TierwiseError } from '../../common/errors';

/** The job a remote worker is running: its lease, and the cancellation the lock-extension loop reports. */
export interface RemoteJobContext {
  lease: string;
  jobId: string;
  cancelled: AbortController;
}

export const remoteJob = new AsyncLocalStorage<RemoteJobContext>();

export function currentRemoteJob(): RemoteJobContext {
  const context = remoteJob.getStore();
  if (!context) throw new TierwiseError('JOB_LEASE_INVALID', 'a remote provider was called outside a leased job');
  return context;
}
