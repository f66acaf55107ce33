import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyHmac, seal, serverSecrets, unseal } from './server-secrets';

const dir = () => join(mkdtempSync(join(tmpdir(), 'tw-secrets-')), 'blobs');

test('sealed secrets open only with the same key and context, and do not contain the plaintext', () => {
  const secrets = serverSecrets({ BLOB_DIR: dir(), TIERWISE_KEY_SECRET: 'k'.repeat(32), TIERWISE_SECRETS_KEY: 's'.repeat(32) });
  const sealed = seal(secrets, 'whsec_abc', 'webhook:1');
  assert.ok(!sealed.includes('whsec_abc'));
  assert.notEqual(sealed, seal(secrets, 'whsec_abc', 'webhook:1'), 'a fresh nonce each time');
  assert.equal(unseal(secrets, sealed, 'webhook:1'), 'whsec_abc');
  assert.throws(() => unseal(secrets, sealed, 'webhook:2'));
  const other = serverSecrets({ BLOB_DIR: dir(), TIERWISE_KEY_SECRET: 'k'.repeat(32), TIERWISE_SECRETS_KEY: 't'.repeat(32) });
  assert.throws(() => unseal(other, sealed, 'webhook:1'));
});

test('API key hashes depend on the server secret; the dev secret is a 0600 file shared by every process', () => {
  const a = serverSecrets({ BLOB_DIR: dir(), TIERWISE_KEY_SECRET: 'a'.repeat(32) });
  const b = serverSecrets({ BLOB_DIR: dir(), TIERWISE_KEY_SECRET: 'b'.repeat(32) });
  assert.notEqual(keyHmac(a, 'tw_key'), keyHmac(b, 'tw_key'));
  const blobDir = dir();
  const local = serverSecrets({ BLOB_DIR: blobDir });
  const file = join(blobDir, '..', 'server-secret');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8').trim().length, 43);
  assert.notEqual(local.keyHmac.toString('hex'), local.secretsKey.toString('hex'));
});
