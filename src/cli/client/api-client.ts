import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { ApiError, CliError } from '../cli-errors';
import { SseParser, type SseEvent } from './sse';

export interface ClientOptions {
  /** Base URL of the api, e.g. `http://localhost:3000`. */
  server: string;
  key: string;
}

/** A file part of a multipart upload, read from disk without loading it whole into memory first. */
export interface FilePart {
  path: string;
  /** The name the server sees; its extension tells the server the format. */
  filename?: string;
}

/**
 * The Tierwise REST api over Node's global fetch. Every non-2xx answer becomes an ApiError carrying the
 * api's own `{error: {code, message}}`, so the CLI prints it as `CODE: message` and exits with 2.
 */
export class TierwiseClient {
  private readonly base: string;

  constructor(private readonly options: ClientOptions) {
    if (!options.key) throw new CliError('API_KEY_MISSING', 'pass --key <api key> or set TIERWISE_API_KEY');
    let url: URL;
    try {
      url = new URL(options.server);
    } catch {
      throw new CliError('SERVER_INVALID', `--server: not a URL: ${options.server}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError('SERVER_INVALID', `--server: http or https, not ${url.protocol}`);
    this.base = url.toString().replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  delete<T>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }

  post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.json<T>('POST', path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
  }

  /** multipart/form-data with text fields and one file field named `file`. */
  async upload<T>(path: string, fields: Record<string, string | undefined>, file: FilePart): Promise<T> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
    let blob: Blob;
    try {
      blob = await openAsBlob(file.path);
    } catch (error) {
      throw new CliError('FILE_UNREADABLE', `${file.path}: ${(error as Error).message}`);
    }
    form.append('file', blob, file.filename ?? basename(file.path));
    return this.json<T>('POST', path, { body: form });
  }

  /** The raw body of a GET (reports in csv or html). */
  async text(path: string): Promise<string> {
    const response = await this.send('GET', path);
    return response.text();
  }

  /**
   * Follows a server-sent events stream until the server ends it or `signal` aborts. Resolves when the
   * stream closes; rejects on an api error or a broken connection.
   */
  async stream(path: string, onEvent: (event: SseEvent) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.send('GET', path, { headers: { Accept: 'text/event-stream' }, signal });
    if (!response.body) throw new CliError('STREAM_EMPTY', `${path}: the server sent no event stream`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const event of parser.push(decoder.decode(chunk, { stream: true }))) onEvent(event);
    }
  }

  private async json<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.send(method, path, init);
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError('RESPONSE_INVALID', `${method} ${path}: the server did not answer JSON (${text.slice(0, 80)})`);
    }
  }

  private async send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { ...init, method, headers: { Authorization: `Bearer ${this.options.key}`, ...(init.headers as Record<string, string> | undefined) } });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError('SERVER_UNREACHABLE', `${method} ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (!response.ok) throw await apiError(method, path, response);
    return response;
  }
}

async function apiError(method: string, path: string, response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') {
      return new ApiError(body.error.code, String(body.error.message ?? ''), response.status);
    }
  } catch {
    // not JSON: a proxy or a non-Tierwise server answered; fall through to the status line
  }
  return new ApiError(`HTTP_${response.status}`, `${method} ${path}: ${response.statusText} ${text.slice(0, 200)}`.trim(), response.status);
}
