import { TierwiseError, isErrorCode } from '../../common/errors';
import { BlobCache, type FetchedBlob } from '../../blobs/blob-cache';
import { LEASE_HEADER } from '../job-lease';

export interface WorkerConnection {
  /** The api's base URL, e.g. https://tierwise.example.com */
  api: string;
  /** A worker token (`tierwise keys create --worker`). */
  token: string;
}

/**
 * The remote worker's only link to the deployment: JSON calls to /v1/worker with the worker token, and the job's
 * lease where the call is about a held job. An error the api names keeps its code (a domain error stays final for
 * the job-failure policy); a network failure or a 5xx becomes WORKER_API_UNREACHABLE, which is retried.
 */
export class WorkerApiClient {
  readonly base: string;

  constructor(
    private readonly connection: WorkerConnection,
    readonly cache: BlobCache,
  ) {
    this.base = connection.api.replace(/\/+$/, '');
  }

  private headers(lease?: string): Record<string, string> {
    return { Authorization: `Bearer ${this.connection.token}`, ...(lease ? { [LEASE_HEADER]: lease } : {}) };
  }

  async call<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { lease?: string; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T | null> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/v1/worker/${path}`, {
        method,
        headers: { ...this.headers(options.lease), ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new TierwiseError('WORKER_API_UNREACHABLE', `${method} ${this.base}/v1/worker/${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status === 204 || (response.ok && text === '')) return null;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.ok) return body as T;
    const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    if (response.status < 500 && error?.code && isErrorCode(error.code))
      throw new TierwiseError(error.code, error.message ?? error.code, error.details);
    throw new TierwiseError(
      'WORKER_API_UNREACHABLE',
      `${method} /v1/worker/${path}: ${response.status}${error ? ` ${error.code}: ${error.message}` : ''}`,
      { status: response.status },
    );
  }

  /** A blob of the held job into the worker's own cache (sha-verified; a cut-off download resumes). */
  fetchBlob(lease: string, sha256: string, signal?: AbortSignal): Promise<FetchedBlob> {
    return this.cache.fetch({ url: `${this.base}/v1/worker/blobs/${sha256}`, headers: this.headers(lease), sha256, signal });
  }
}
