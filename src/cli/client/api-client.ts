import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { ApiError, CliError } from '../cli-errors';
import type { components, paths } from './api-types';
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

type Schemas = components['schemas'];
export type Model = Schemas['ModelType'];
export type Variant = Schemas['VariantType'];
export type Dataset = Schemas['DatasetType'];
export type Study = Schemas['StudyType'];
export type StudyProgressEvent = Schemas['StudyProgressType'];
export type Recommendation = Schemas['RecommendationType'];
export type Measurement = Schemas['MeasurementResponse'];
export type CreateStudyBody = Schemas['CreateStudyDto'];
export type ReportFormat = NonNullable<NonNullable<paths['/v1/studies/{id}/report']['get']['parameters']['query']>['format']>;

/**
 * The Tierwise REST api through openapi-fetch, typed by the client generated from the api's OpenAPI document
 * (`npm run gen:api-client`). Every non-2xx answer becomes an ApiError carrying the api's own
 * `{error: {code, message}}`, so the CLI prints it as `CODE: message` and exits with 2.
 */
export class TierwiseClient {
  private readonly api: Client<paths>;

  constructor(options: ClientOptions) {
    if (!options.key) throw new CliError('API_KEY_MISSING', 'pass --key <api key> or set TIERWISE_API_KEY');
    let url: URL;
    try {
      url = new URL(options.server);
    } catch {
      throw new CliError('SERVER_INVALID', `--server: not a URL: ${options.server}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new CliError('SERVER_INVALID', `--server: http or https, not ${url.protocol}`);
    const base = url.toString().replace(/\/+$/, '');
    this.api = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${options.key}` } });
    this.api.use(answersChecked(base));
  }

  /** Sets a model's task and postprocess spec (PATCH /v1/models/:id). */
  setModelTask(id: string, task: string, postprocess?: Record<string, unknown>): Promise<Model> {
    return this.call(
      'PATCH',
      async () => (await this.api.PATCH('/v1/models/{id}', { params: { path: { id } }, body: { task, postprocess } as never })).data!,
    );
  }

  uploadModel(fields: { name?: string; task?: string; postprocess?: string }, file: FilePart): Promise<Model> {
    return this.call(
      'POST',
      async (body) => (await this.api.POST('/v1/models', { body: body as never, bodySerializer: passThrough })).data!,
      fields,
      file,
    );
  }

  uploadVariant(modelId: string, fields: { operator: string; notes?: string }, file: FilePart): Promise<Variant> {
    return this.call(
      'POST',
      async (body) =>
        (
          await this.api.POST('/v1/models/{id}/variants', {
            params: { path: { id: modelId } },
            body: body as never,
            bodySerializer: passThrough,
          })
        ).data!,
      fields,
      file,
    );
  }

  uploadDataset(fields: { name?: string; preprocess?: string }, file: FilePart): Promise<Dataset> {
    return this.call(
      'POST',
      async (body) => (await this.api.POST('/v1/datasets', { body: body as never, bodySerializer: passThrough })).data!,
      fields,
      file,
    );
  }

  createStudy(body: CreateStudyBody, idempotencyKey: string): Promise<Study> {
    return this.call(
      'POST',
      async () => (await this.api.POST('/v1/studies', { body, headers: { 'Idempotency-Key': idempotencyKey } })).data!,
    );
  }

  cancelStudy(id: string): Promise<Study> {
    return this.call('DELETE', async () => (await this.api.DELETE('/v1/studies/{id}', { params: { path: { id } } })).data!);
  }

  study(id: string): Promise<Study> {
    return this.call('GET', async () => (await this.api.GET('/v1/studies/{id}', { params: { path: { id } } })).data!);
  }

  recommendations(id: string): Promise<Recommendation[]> {
    return this.call('GET', async () => (await this.api.GET('/v1/studies/{id}/recommendations', { params: { path: { id } } })).data!);
  }

  measurements(id: string): Promise<Measurement[]> {
    return this.call('GET', async () => (await this.api.GET('/v1/studies/{id}/measurements', { params: { path: { id } } })).data!);
  }

  /** The raw body of a report (json, csv or html). */
  report(id: string, format: ReportFormat): Promise<string> {
    return this.call(
      'GET',
      async () =>
        (await this.api.GET('/v1/studies/{id}/report', { params: { path: { id }, query: { format } }, parseAs: 'text' })).data as string,
    );
  }

  /**
   * Follows a study's server-sent events until the server ends the stream or `signal` aborts. Resolves when
   * the stream closes; rejects on an api error or a broken connection.
   */
  async studyEvents(id: string, onEvent: (event: SseEvent) => void, signal?: AbortSignal): Promise<void> {
    const path = `/v1/studies/${encodeURIComponent(id)}/events`;
    const body = await this.call(
      'GET',
      async () =>
        (
          await this.api.GET('/v1/studies/{id}/events', {
            params: { path: { id } },
            headers: { Accept: 'text/event-stream' },
            parseAs: 'stream',
            signal,
          })
        ).data,
    );
    if (!body) throw new CliError('STREAM_EMPTY', `${path}: the server sent no event stream`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      for (const event of parser.push(decoder.decode(chunk, { stream: true }))) onEvent(event);
    }
  }

  /**
   * Runs one request; with a file, as multipart/form-data with its text fields and the file as `file`. A
   * connection that fails becomes SERVER_UNREACHABLE (an abort stays an AbortError).
   */
  private async call<T>(
    method: string,
    send: (form?: FormData) => Promise<T>,
    fields?: Record<string, string | undefined>,
    file?: FilePart,
  ): Promise<T> {
    let form: FormData | undefined;
    if (file) {
      form = new FormData();
      for (const [name, value] of Object.entries(fields ?? {})) if (value !== undefined) form.append(name, value);
      let blob: Blob;
      try {
        blob = await openAsBlob(file.path);
      } catch (error) {
        throw new CliError('FILE_UNREADABLE', `${file.path}: ${(error as Error).message}`);
      }
      form.append('file', blob, file.filename ?? basename(file.path));
    }
    try {
      return await send(form);
    } catch (error) {
      if (error instanceof ApiError || error instanceof CliError || (error as Error).name === 'AbortError') throw error;
      const request = (error as { request?: Request }).request;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        'SERVER_UNREACHABLE',
        `${method} ${request?.url ?? ''}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
  }
}

const passThrough = (body: unknown): FormData => body as FormData;

/**
 * Checks every answer before openapi-fetch reads it: a non-2xx becomes an ApiError with the api's code (or
 * HTTP_<status> from a server that is not Tierwise); a 2xx that should be JSON and is not becomes
 * RESPONSE_INVALID. A fetch that fails is tagged with its request, for SERVER_UNREACHABLE's message.
 */
function answersChecked(base: string): Middleware {
  const pathOf = (request: Request) => request.url.slice(base.length);
  return {
    async onResponse({ request, response, options }) {
      if (!response.ok) throw await apiError(request.method, pathOf(request), response);
      if (options.parseAs !== 'json') return undefined;
      const text = await response.clone().text();
      if (!text) return undefined;
      try {
        JSON.parse(text);
      } catch {
        throw new CliError(
          'RESPONSE_INVALID',
          `${request.method} ${pathOf(request)}: the server did not answer JSON (${text.slice(0, 80)})`,
        );
      }
      return undefined;
    },
    onError({ error, request }) {
      if (error instanceof Error) return Object.assign(error, { request });
      return undefined;
    },
  };
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
