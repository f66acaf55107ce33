import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fixtures, isolateEnvironment, startApi, type Api } from '../support/harness';
import { badInputs, codeOf, send, type BadInput } from './bad-inputs';

isolateEnvironment();

describe('reliability: generated bad inputs', () => {
  let api: Api;
  let auth: { Authorization: string };
  let inputs: BadInput[];

  before(async () => {
    api = await startApi();
    ({ auth } = await api.newTeam());
    const model = await api.http
      .post('/v1/models')
      .set(auth)
      .field('name', 'm')
      .attach('file', fixtures('sentiment-bert/models/sentiment-bert-identity.onnx'))
      .expect(201);
    const dataset = await api.http
      .post('/v1/datasets')
      .set(auth)
      .attach('file', readFileSync(fixtures('sentiment-bert/calib-200.jsonl')), 'calib.jsonl')
      .expect(201);
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
      if (!ok || !code || code === 'INTERNAL' || code === 'INTERNAL_SERVER_ERROR')
        wrong.push(`${input.family} ${input.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (i % 25 === 0) await api.http.get('/health').timeout(3000).expect(200);
    }
    await api.http.get('/health').expect(200);
    assert.deepEqual(wrong, []);
  });
});
