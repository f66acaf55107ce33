import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fixtures, isolateEnvironment, startApi, type Api } from '../support/harness';
import { badInputs, type BadInput } from './bad-inputs';

isolateEnvironment();

export async function send(api: Api, auth: { Authorization: string }, input: BadInput) {
  let req = input.method === 'GET' ? api.http.get(input.path) : input.method === 'DELETE' ? api.http.delete(input.path) : api.http.post(input.path);
  req = req.set(auth);
  if (input.raw) {
    req = req.set('Content-Type', input.raw.contentType);
    for (const [k, v] of Object.entries(input.raw.headers ?? {})) req = req.set(k, v);
    return req.send(input.raw.body);
  }
  if (input.file) {
    for (const [k, v] of Object.entries(input.file.fields ?? {})) req = req.field(k, v);
    return req.attach('file', input.file.bytes, input.file.filename);
  }
  if (input.json === undefined) return req;
  return typeof input.json === 'object' && input.json !== null ? req.send(input.json as object) : req.set('Content-Type', 'application/json').send(JSON.stringify(input.json));
}

/** The error code of an answer: REST `error.code`, or every GraphQL error's `extensions.code`. */
export function codeOf(status: number, body: { error?: { code?: string }; errors?: Array<{ extensions?: { code?: string } }> }): string | undefined {
  if (body?.error?.code) return body.error.code;
  if (Array.isArray(body?.errors) && body.errors.length > 0 && body.errors.every((e) => typeof e.extensions?.code === 'string')) return body.errors[0].extensions!.code;
  return status >= 400 ? undefined : 'none';
}

describe('reliability: generated bad inputs', () => {
  let api: Api;
  let auth: { Authorization: string };
  let inputs: BadInput[];

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
    const model = await api.http.post('/v1/models').set(auth).field('name', 'm').attach('file', fixtures('sentiment-bert/models/sentiment-bert-identity.onnx')).expect(201);
    const dataset = await api.http.post('/v1/datasets').set(auth).attach('file', readFileSync(fixtures('sentiment-bert/calib-200.jsonl')), 'calib.jsonl').expect(201);
    inputs = badInputs({ modelId: model.body.id, datasetId: dataset.body.id });
  });
  after(async () => api.close());

  test('at least 300 bad inputs, each a 4xx with a code, never a 5xx, /health answering throughout', async () => {
    assert.ok(inputs.length >= 300, `${inputs.length} inputs`);
    const wrong: string[] = [];
    for (const [i, input] of inputs.entries()) {
      const res = await send(api, auth, input);
      const graphqlErrors = input.family === 'graphql' && res.status === 200 && Array.isArray(res.body?.errors) && !res.body.data;
      const ok = (res.status >= 400 && res.status < 500) || graphqlErrors;
      const code = codeOf(res.status, res.body);
      if (!ok || !code || code === 'INTERNAL' || code === 'INTERNAL_SERVER_ERROR') wrong.push(`${input.family} ${input.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (i % 25 === 0) await api.http.get('/health').timeout(3000).expect(200);
    }
    await api.http.get('/health').expect(200);
    assert.deepEqual(wrong, []);
  });
});
