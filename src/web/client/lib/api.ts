/** The REST client of the page: the key lives in this browser's localStorage and goes in the Authorization header. */
export const KEY_STORE = 'tierwise.apiKey';

export function apiKey(): string {
  return localStorage.getItem(KEY_STORE) ?? '';
}

export function saveKey(key: string): void {
  localStorage.setItem(KEY_STORE, key);
}

export function forgetKey(): void {
  localStorage.removeItem(KEY_STORE);
}

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

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body?.error?.code) return new ApiError(body.error.code, String(body.error.message ?? ''), response.status);
  } catch {
    // not JSON: fall back to the status line
  }
  return new ApiError(`HTTP_${response.status}`, `${response.statusText} ${text.slice(0, 200)}`, response.status);
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Public share routes send no key. */
  anonymous?: boolean;
}

export async function request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    ...(options.anonymous ? {} : { Authorization: `Bearer ${apiKey()}` }),
    ...(options.headers ?? {}),
  };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, { method, headers, body, signal: options.signal });
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await request(method, path, options);
  const text = await response.text();
  return (text ? JSON.parse(text) : null) as T;
}

export interface StreamEvent {
  type: string;
  data: string;
}

/** Server-sent events over fetch, because EventSource cannot send the Authorization header. */
export async function streamEvents(path: string, onEvent: (event: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await request('GET', path, { headers: { Accept: 'text/event-stream' }, signal });
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return;
    buffer = (buffer + chunk.value).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent({ type, data: data.join('\n') });
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
