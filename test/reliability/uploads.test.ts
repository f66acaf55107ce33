import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, type Api } from '../support/harness';
import { listen, multipartHead, rawRequest, until } from './support';

isolateEnvironment();
const tmpFiles = () => {
  const dir = join(process.env.BLOB_DIR!, 'tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('reliability: truncated and aborted uploads', () => {
  let api: Api;
  let port: number;
  let key: string;

  before(async () => {
    api = await startApi();
    port = await listen(api);
    ({ key } = await api.newTeam());
  });
  after(async () => api.close());

  for (const path of ['/v1/models', '/v1/datasets']) {
    test(`a truncated multipart body to ${path} is a 400 and the api keeps answering`, async () => {
      const boundary = 'xyz';
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\nContent-Type: application/octet-stream\r\n\r\nabcdefgh`,
      );
      const res = await rawRequest(port, multipartHead(path, key, body.length, boundary), body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /UPLOAD_MALFORMED/);
      // A second part that is not `file` (resumed by the parser) truncated the same way.
      const other = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="other"; filename="x.bin"\r\n\r\nabcdefgh`);
      const res2 = await rawRequest(port, multipartHead(path, key, other.length, boundary), other);
      assert.equal(res2.status, 400, res2.text);
      await api.http.get('/health').expect(200);
      assert.deepEqual(tmpFiles(), []);
    });
  }

  test('an upload the client abandons halfway leaves no temp file behind', async () => {
    const boundary = 'abort';
    const announced = 3 * 1024 * 1024;
    const part = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\n`),
      Buffer.alloc(1024 * 1024, 7),
    ]);
    for (let i = 0; i < 5; i++) await rawRequest(port, multipartHead('/v1/models', key, announced, boundary), part, { hangUp: true });
    assert.ok(await until(() => tmpFiles().length === 0, 5000), `temp files left: ${tmpFiles().length}`);
    await api.http.get('/health').expect(200);
  });

  test('a multipart content type without a boundary is a 400 with a code', async () => {
    const res = await api.http
      .post('/v1/models')
      .set({ Authorization: `Bearer ${key}`, 'Content-Type': 'multipart/form-data' })
      .send('abc');
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'UPLOAD_MALFORMED');
  });
});
