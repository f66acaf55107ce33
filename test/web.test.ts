import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { isolateEnvironment, startApi, type Api } from './support/harness';

isolateEnvironment();

describe('web page', () => {
  let api: Api;

  before(async () => {
    api = await startApi();
  });
  after(async () => {
    await api.close();
  });

  test('GET / serves the page without a key, with a same-origin-only policy', async () => {
    const res = await api.http.get('/').expect(200);
    assert.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
    assert.match(res.text, /^<!doctype html>/i);
    assert.match(res.text, /<input id="api-key"/);
    const csp = res.headers['content-security-policy'];
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const references = [...res.text.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(references.sort(), ['#/', '#view', '/docs', '/ui/app.css', '/ui/app.js', 'data:,']);
    assert.doesNotMatch(res.text, /<script>|<script [^>]*>[^<]/, 'no inline script: the page runs only the bundle');
  });

  test('the script and the stylesheet are served from /ui with no external assets, and the script parses', async () => {
    const js = await api.http.get('/ui/app.js').expect(200);
    assert.match(js.headers['content-type'], /^text\/javascript/);
    assert.doesNotThrow(() => new Script(js.text, { filename: 'app.js' }));
    // The only URL in the bundle is the SVG namespace, which names elements and loads nothing.
    assert.doesNotMatch(
      js.text.replaceAll('"http://www.w3.org/2000/svg"', ''),
      /https?:\/\/|\.innerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
    );
    assert.match(js.text, /text\/event-stream/);
    assert.match(js.text, /getReader\(\)/, 'SSE is read with fetch and a stream reader, which can send the key');
    assert.match(js.text, /localStorage\.setItem\(KEY_STORE/);
    assert.match(js.text, /sandbox: ["']["']/, 'the report iframe is sandboxed');
    assert.match(js.text, /function rankCandidates\(/, 'the advisor itself is bundled, not a copy of it');
    const css = await api.http.get('/ui/app.css').expect(200);
    assert.match(css.headers['content-type'], /^text\/css/);
    assert.doesNotMatch(css.text, /url\(|@import|https?:\/\//);
  });

  test('every /v1 path the script calls exists in the OpenAPI document', async () => {
    const js = (await api.http.get('/ui/app.js').expect(200)).text;
    const spec = (await api.http.get('/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const called = new Set([...js.matchAll(/[`'"](\/v1\/[a-z/]*)/g)].map((m) => m[1]));
    assert.ok(called.size >= 4, [...called].join(' '));
    const known = Object.keys(spec.paths).map((p) => p.replace(/\{[^}]+\}/g, ''));
    for (const path of called)
      assert.ok(
        known.some((k) => k.startsWith(path)),
        `${path} is not an api route`,
      );
  });

  test('the decision and share routes are in the OpenAPI document; an unknown share token is refused without a key', async () => {
    const spec = (await api.http.get('/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    assert.ok(spec.paths['/v1/studies/{id}/decision']?.get);
    assert.ok(spec.paths['/v1/studies/{id}/what-if']?.post);
    assert.ok(spec.paths['/v1/studies/{id}/share']?.post);
    assert.ok(spec.paths['/v1/share/{token}']?.delete);
    assert.ok(spec.paths['/v1/studies/{id}/shares/{shareId}']?.delete);
    assert.ok(spec.paths['/v1/studies/{id}/jobs']?.get);
    const token = 'A'.repeat(43);
    const page = await api.http.get(`/share/${token}`).expect(404);
    assert.match(page.text, /SHARE_NOT_FOUND/);
    assert.match(page.headers['content-security-policy'], /default-src 'none'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const data = await api.http.get(`/share/${token}/data`).expect(404);
    assert.equal(data.body.error.code, 'SHARE_NOT_FOUND');
    const { auth } = await api.newTeam();
    const revoke = await api.http.delete(`/v1/share/${token}`).set(auth).expect(404);
    assert.equal(revoke.body.error.code, 'SHARE_NOT_FOUND');
    const study = await api.http.post('/v1/studies/00000000-0000-4000-8000-000000000000/share').set(auth).send({}).expect(404);
    assert.equal(study.body.error.code, 'STUDY_NOT_FOUND');
    const bad = await api.http
      .post('/v1/studies/00000000-0000-4000-8000-000000000000/share')
      .set(auth)
      .send({ expiresInHours: 0 })
      .expect(400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    await api.http.post('/v1/studies/00000000-0000-4000-8000-000000000000/share').send({}).expect(401);
    const byId = await api.http.delete('/v1/studies/00000000-0000-4000-8000-000000000000/shares/not-an-id').set(auth).expect(404);
    assert.equal(byId.body.error.code, 'SHARE_NOT_FOUND');
    const jobs = await api.http.get('/v1/studies/00000000-0000-4000-8000-000000000000/jobs').set(auth).expect(404);
    assert.equal(jobs.body.error.code, 'STUDY_NOT_FOUND');
  });

  test('/ui deep links open the page; the api itself still needs a key', async () => {
    const deep = await api.http.get('/ui/studies/anything').expect(200);
    assert.match(deep.text, /<script src="\/ui\/app\.js" defer><\/script>/);
    const denied = await api.http.get('/v1/models').expect(401);
    assert.equal(denied.body.error.code, 'UNAUTHENTICATED');
  });
});
