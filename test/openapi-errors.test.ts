import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_CATALOGUE, httpStatusOf, isErrorCode, publicCodeOf } from '../src/common/errors';
import { isolateEnvironment, startApi, type Api } from './support/harness';

isolateEnvironment();

type Operation = {
  responses: Record<
    string,
    {
      description?: string;
      content?: { 'application/json'?: { schema?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } } };
    }
  >;
};
type Document = { paths: Record<string, Record<string, Operation>> };

const codesAt = (op: Operation, status: number): string[] =>
  op.responses[String(status)]?.content?.['application/json']?.schema?.properties?.error?.properties?.code?.enum ?? [];

describe('OpenAPI: each route lists its error codes', () => {
  let api: Api;
  let doc: Document;

  before(async () => {
    api = await startApi();
    doc = (await api.http.get('/docs/openapi.json').expect(200)).body;
  });
  after(async () => api.close());

  test('POST /v1/studies lists INPUT_SPEC_REQUIRED under 422 and VALIDATION_FAILED under 400', () => {
    const create = doc.paths['/v1/studies'].post;
    assert.ok(codesAt(create, 422).includes('INPUT_SPEC_REQUIRED'), JSON.stringify(create.responses['422']));
    assert.ok(codesAt(create, 400).includes('VALIDATION_FAILED'));
    assert.match(create.responses['422'].description ?? '', /INPUT_SPEC_REQUIRED`: the model has dynamic dims/);
  });

  test('a public code shared by two rows is listed under each row’s status', () => {
    const upload = doc.paths['/v1/datasets'].post;
    assert.ok(codesAt(upload, 415).includes('DATASET_INVALID'));
    assert.ok(codesAt(upload, 422).includes('DATASET_INVALID'));
    assert.ok(codesAt(upload, 400).includes('PREPROCESS_INVALID') && codesAt(upload, 422).includes('PREPROCESS_INVALID'));
  });

  test('every /v1 route documents UNAUTHENTICATED under 401, and each listed code under the status the filter answers with', () => {
    const statusesOf = new Map<string, Set<number>>();
    for (const code of Object.keys(ERROR_CATALOGUE)) {
      if (!isErrorCode(code)) continue;
      const shown = publicCodeOf(code);
      statusesOf.set(shown, (statusesOf.get(shown) ?? new Set()).add(httpStatusOf(code)));
    }
    let routes = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries(methods)) {
        routes++;
        assert.deepEqual(codesAt(op, 401), ['UNAUTHENTICATED'], `${method} ${path}`);
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const codes = codesAt(op, Number(status));
          assert.ok(codes.length > 0, `${method} ${path} ${status} lists codes`);
          for (const code of codes)
            assert.ok(statusesOf.get(code)?.has(Number(status)), `${method} ${path}: ${code} under ${status} (${response.description})`);
        }
      }
    }
    assert.ok(routes >= 30, `${routes} routes`);
  });

  test('routes that read an id list its NOT_FOUND code under 404', () => {
    for (const [path, code] of [
      ['/v1/models/{id}', 'MODEL_NOT_FOUND'],
      ['/v1/datasets/{id}', 'DATASET_NOT_FOUND'],
      ['/v1/studies/{id}', 'STUDY_NOT_FOUND'],
      ['/v1/webhooks/{id}', 'WEBHOOK_NOT_FOUND'],
    ] as const) {
      for (const [method, op] of Object.entries(doc.paths[path])) assert.ok(codesAt(op, 404).includes(code), `${method} ${path}`);
    }
  });
});
