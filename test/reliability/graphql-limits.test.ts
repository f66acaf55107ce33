import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();

describe('reliability: GraphQL depth, alias and complexity limits', () => {
  let api: Api;
  let auth: { Authorization: string };
  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
  });
  after(async () => api.close());

  const post = (query: string) => api.http.post('/graphql').set(auth).send({ query });
  const codes = (body: { errors?: Array<{ extensions?: { code?: string; limit?: string; stacktrace?: unknown } }> }) => {
    assert.ok(
      (body.errors ?? []).every((e) => e.extensions?.stacktrace === undefined),
      'no stack traces',
    );
    return (body.errors ?? []).map((e) => e.extensions?.limit);
  };

  test('1500 aliases are refused before anything resolves, quickly', async () => {
    const started = performance.now();
    const res = await post(`{ ${Array.from({ length: 1500 }, (_, i) => `a${i}: models { items { id } }`).join(' ')} }`);
    assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
    assert.ok(codes(res.body).includes('GRAPHQL_TOO_MANY_ALIASES'), JSON.stringify(res.body).slice(0, 300));
    assert.ok(performance.now() - started < 2000);
  });

  test('a deep introspection query is refused', async () => {
    const res = await post(`{ __schema { types { ${'fields { type { '.repeat(10)}name${' } }'.repeat(10)} } } }`);
    assert.equal(res.status, 400);
    assert.ok(codes(res.body).includes('GRAPHQL_TOO_DEEP'), JSON.stringify(res.body).slice(0, 300));
  });

  test('a fragment spread many times counts each time', async () => {
    const res = await post(
      `query { ${Array.from({ length: 25 }, (_, i) => `m${i}: models { ...M }`).join(' ')} } fragment M on ModelPage { items { ${'id name sha256 '.repeat(10)} } }`,
    );
    assert.equal(res.status, 400);
    assert.ok(codes(res.body).includes('GRAPHQL_TOO_COMPLEX'), JSON.stringify(res.body).slice(0, 300));
  });

  test('ordinary queries still work', async () => {
    const res = await post('{ models { items { id name } } }');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.data.models.items, []);
  });
});
