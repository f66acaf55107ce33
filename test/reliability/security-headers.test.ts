import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();

describe('reliability: security headers', () => {
  let api: Api;
  before(async () => {
    api = await startApi();
  });
  after(async () => api.close());

  test('HTML responses carry a Content-Security-Policy and the usual headers', async () => {
    for (const path of ['/', '/docs']) {
      const res = await api.http.get(path).redirects(1);
      assert.match(String(res.headers['content-type']), /text\/html/, path);
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'|frame-ancestors/, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-powered-by'], undefined);
    }
  });

  test('JSON responses get the headers too, errors included', async () => {
    const res = await api.http.get('/v1/models').expect(401);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });
});
