import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './env';

test('defaults give a working local configuration', () => {
  const config = loadConfig({});
  assert.equal(config.DATABASE_URL, 'postgresql://postgres@127.0.0.1:5432/tierwise');
  assert.equal(config.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.equal(config.PORT, 3000);
  assert.equal(config.MAX_UPLOAD_BYTES, 2 * 1024 ** 3);
  assert.equal(config.ALLOW_PRIVATE_WEBHOOKS, false);
  assert.ok(config.BLOB_DIR.endsWith('/var/blobs'));
});

test('every bad value is named at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', REDIS_URL: 'not a url', TIERWISE_API_KEY: 'short', ALLOW_PRIVATE_WEBHOOKS: 'maybe' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      ['PORT', 'REDIS_URL', 'TIERWISE_API_KEY', 'ALLOW_PRIVATE_WEBHOOKS'].every((name) => error.message.includes(`  ${name}:`)),
  );
});
