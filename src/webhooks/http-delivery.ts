import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isTierwiseError } from '../common/errors';
import { assertDeliverableUrl, publicAddressesOf } from './address-guard';

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

const RESPONSE_SNIPPET_BYTES = 256;

/**
 * The socket's own name lookup, refusing private addresses: the addresses checked are the ones connected to,
 * so a DNS answer that changes between a check and the connect (rebinding) cannot slip through.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  void publicAddressesOf(hostname).then(
    (addresses) => {
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (wanted.length === 0) {
        callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 0);
      } else if (options.all) {
        (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, wanted);
      } else {
        callback(null, wanted[0].address, wanted[0].family);
      }
    },
    (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
  );
};

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as NodeJS.ErrnoException;
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ABORT_ERR') return `timed out after ${timeoutMs} ms`;
  return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}

function readSnippet(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    response.on('data', (chunk: Buffer) => {
      if (kept < RESPONSE_SNIPPET_BYTES) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    response.on('end', () => resolve(Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString('utf8')));
    response.on('error', reject);
  });
}

/**
 * One POST of a signed message: 2xx is success, anything else (another status, a refused address, a network
 * error, no full answer within the timeout) is a failed attempt described in `error`. Never throws; redirects
 * are not followed (a 3xx is a failure), so a redirect cannot lead to a private address.
 */
export async function postMessage(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const target = await assertDeliverableUrl(url, options.allowPrivate);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<{ statusCode: number; snippet: string }>((resolve, reject) => {
      const req = send(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Tierwise-Webhooks/1',
          ...headers,
        },
        signal: AbortSignal.timeout(options.timeoutMs),
        agent: false,
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
      });
      req.on('response', (res) => readSnippet(res).then((snippet) => resolve({ statusCode: res.statusCode ?? 0, snippet }), reject));
      req.on('error', reject);
      req.end(body);
    });
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    const error = ok ? null : `HTTP ${response.statusCode}${response.snippet ? `: ${response.snippet.trim()}` : ''}`;
    return { ok, statusCode: response.statusCode, error, durationMs: elapsed() };
  } catch (error) {
    const message = isTierwiseError(error) ? `refused: ${error.message}` : describeFailure(error, options.timeoutMs);
    return { ok: false, statusCode: null, error: message, durationMs: elapsed() };
  }
}
