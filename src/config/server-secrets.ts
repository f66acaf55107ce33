import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from './env';

/**
 * The server's two secrets: the HMAC key API keys are hashed with, and the AES-256-GCM key that encrypts
 * webhook secrets at rest. Each comes from its environment variable (`TIERWISE_KEY_SECRET`,
 * `TIERWISE_SECRETS_KEY`, any string of 32+ characters, stretched with HKDF-SHA256). For development a missing one
 * is derived from `var/server-secret` (beside BLOB_DIR, 32 random bytes, mode 0600, created on first use and
 * shared by the api, the workers and the CLI of one checkout), like `var/api-key`.
 */
export interface ServerSecrets {
  keyHmac: Buffer;
  secretsKey: Buffer;
}

type SecretConfig = Pick<AppConfig, 'BLOB_DIR' | 'TIERWISE_KEY_SECRET' | 'TIERWISE_SECRETS_KEY'>;

const cache = new Map<string, ServerSecrets>();

function derive(material: Buffer | string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material, 'tierwise', purpose, 32));
}

/** The checkout's local secret: read, or created exclusively (two processes starting at once agree on one). */
function localSecret(blobDir: string): Buffer {
  const file = join(dirname(blobDir), 'server-secret');
  const read = () => Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return read();
}

export function serverSecrets(config: SecretConfig): ServerSecrets {
  const id = `${config.BLOB_DIR}\0${config.TIERWISE_KEY_SECRET ?? ''}\0${config.TIERWISE_SECRETS_KEY ?? ''}`;
  let secrets = cache.get(id);
  if (!secrets) {
    const local = config.TIERWISE_KEY_SECRET && config.TIERWISE_SECRETS_KEY ? undefined : localSecret(config.BLOB_DIR);
    secrets = {
      keyHmac: derive(config.TIERWISE_KEY_SECRET ?? local!, 'api-key-hmac'),
      secretsKey: derive(config.TIERWISE_SECRETS_KEY ?? local!, 'secrets-at-rest'),
    };
    cache.set(id, secrets);
  }
  return secrets;
}

/** HMAC-SHA256 of an API key under the server's key secret (hex): what the ApiKey row stores. */
export function keyHmac(secrets: ServerSecrets, key: string): string {
  return createHmac('sha256', secrets.keyHmac).update(key, 'utf8').digest('hex');
}

const SEALED = 'v1.';

/**
 * AES-256-GCM with a random 96-bit nonce; `context` (e.g. `webhook:<id>`) is bound as associated data, so a
 * sealed value copied onto another row does not open. Format: `v1.` + base64url(nonce | tag | ciphertext).
 */
export function seal(secrets: ServerSecrets, plaintext: string, context: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secrets.secretsKey, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return SEALED + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED);
}

/** Opens a sealed value; throws when the key or the context is wrong or the value was altered. */
export function unseal(secrets: ServerSecrets, sealed: string, context: string): string {
  if (!isSealed(sealed)) throw new Error('not a sealed value');
  const raw = Buffer.from(sealed.slice(SEALED.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', secrets.secretsKey, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
