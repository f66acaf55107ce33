import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fixtures, isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();
const base = readFileSync(fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx'));
/** The model with a fresh ModelProto.doc_string (field 6) appended: the same network, bytes no other test stored. */
const fresh = () => {
  const doc = Buffer.from(`reliability ${randomUUID()}`);
  return Buffer.concat([base, Buffer.from([0x32, doc.length]), doc]);
};
let model = fresh();
const blobFile = (sha: string) => join(process.env.BLOB_DIR!, sha.slice(0, 2), sha);

describe('reliability: identical bytes uploaded at once by two teams', () => {
  let api: Api;
  let a: { Authorization: string };
  let b: { Authorization: string };

  before(async () => {
    api = await startApi();
    ({ auth: a } = await api.newTeam());
    ({ auth: b } = await api.newTeam());
  });
  after(async () => api.close());

  const upload = (auth: { Authorization: string }, name: string) =>
    api.http.post('/v1/models').set(auth).field('name', name).attach('file', model, 'm.onnx');

  test('both uploads succeed, every time, and deleting both removes the blob', async () => {
    for (let pair = 0; pair < 4; pair++) {
      model = fresh();
      const [x, y] = await Promise.all([upload(a, `a${pair}`), upload(b, `b${pair}`)]);
      assert.deepEqual([x.status, y.status], [201, 201], JSON.stringify([x.body, y.body]));
      assert.equal(x.body.sha256, y.body.sha256);
      assert.ok(existsSync(blobFile(x.body.sha256)));
      await api.http.delete(`/v1/models/${x.body.id}`).set(a).expect(204);
      assert.ok(existsSync(blobFile(x.body.sha256)), 'the other team still refers to the blob');
      await api.http.delete(`/v1/models/${y.body.id}`).set(b).expect(204);
      assert.ok(!existsSync(blobFile(x.body.sha256)), 'no one refers to it: removed');
    }
  });

  test("a loser's cleanup never deletes the winner's blob", async () => {
    for (let pair = 0; pair < 4; pair++) {
      model = fresh();
      // b's upload is refused after inspection (name too long) while a's of the same bytes is in flight.
      const [x, y] = await Promise.all([upload(a, `winner${pair}`), upload(b, 'x'.repeat(300))]);
      assert.equal(x.status, 201, JSON.stringify(x.body));
      assert.equal(y.status, 400, JSON.stringify(y.body));
      assert.ok(existsSync(blobFile(x.body.sha256)), `pair ${pair}: the winner's blob is still there`);
      await api.http.delete(`/v1/models/${x.body.id}`).set(a).expect(204);
      assert.ok(!existsSync(blobFile(x.body.sha256)));
    }
  });
});
