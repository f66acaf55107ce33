import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TeamsService } from '../../src/auth/teams.service';
import { repoRoot } from '../../src/common/paths';
import { APP_CONFIG, type AppConfig } from '../../src/config/env';
import { keyHmac, serverSecrets } from '../../src/config/server-secrets';
import { PrismaService } from '../../src/prisma/prisma.service';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import { isolateEnvironment, startApi, type Api } from '../support/harness';

isolateEnvironment();
process.env.AUTH_CACHE_MS = '1500';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot(), 'dist/src/cli/main.js'), ...args], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('reliability: API keys and secrets at rest (finding 9)', () => {
  let api: Api;
  let prisma: PrismaService;

  before(async () => {
    api = await startApi();
    prisma = api.app.get(PrismaService);
  });
  after(() => api.close());

  test('keys are stored as an HMAC under the server secret, with a 7-character prefix (none for custom keys)', async () => {
    const { key } = await api.newTeam();
    const row = await prisma.apiKey.findFirstOrThrow({
      where: { prefix: key.slice(0, 7), hash: keyHmac(serverSecrets(api.app.get<AppConfig>(APP_CONFIG)), key) },
    });
    assert.equal(row.scheme, 'hmac-sha256');
    assert.notEqual(row.hash, sha256(key), 'not the unsalted sha256');
    assert.equal(row.prefix.length, 7);
    const custom = await api.app.get(TeamsService).issueKey(`team-${randomUUID().slice(0, 8)}`, 'custom', `my-own-key-${randomUUID()}`);
    assert.equal(custom.view.prefix, '');
  });

  test('a key hashed before migration 0008 (unsalted sha256) still works and is rehashed on its first use', async () => {
    const team = await prisma.team.create({ data: { name: `legacy-${randomUUID().slice(0, 8)}` } });
    const key = `tw_${randomUUID().replace(/-/g, '')}legacy`;
    const legacy = await prisma.apiKey.create({
      data: { teamId: team.id, name: 'old', prefix: key.slice(0, 7), hash: sha256(key), scheme: 'sha256' },
    });
    await api.http.get('/v1/models').set(bearer(key)).expect(200);
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: legacy.id } });
    assert.equal(row.scheme, 'hmac-sha256');
    assert.notEqual(row.hash, sha256(key));
    await api.http.get('/v1/models').set(bearer(key)).expect(200);
  });

  test('lastUsedAt is written on use, at most once a minute', async () => {
    const { auth } = await api.newTeam();
    const [before] = (await api.http.get('/v1/keys').set(auth).expect(200)).body;
    let first: string | null = before.lastUsedAt;
    for (let i = 0; i < 20 && !first; i++) {
      await new Promise((r) => setTimeout(r, 100));
      first = (await prisma.apiKey.findUniqueOrThrow({ where: { id: before.id } })).lastUsedAt?.toISOString() ?? null;
    }
    assert.ok(first, 'lastUsedAt set');
    for (let i = 0; i < 5; i++) await api.http.get('/v1/models').set(auth).expect(200);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(
      (await prisma.apiKey.findUniqueOrThrow({ where: { id: before.id } })).lastUsedAt?.toISOString(),
      first,
      'not rewritten within the minute',
    );
  });

  test('GET/POST/DELETE /v1/keys: list without secrets, a new key shown once, revocation honoured at once despite the auth cache', async () => {
    const { auth } = await api.newTeam();
    const created = await api.http.post('/v1/keys').set(auth).send({ name: 'ci' }).expect(201);
    assert.match(created.body.key, /^tw_/);
    await api.http.get('/v1/models').set(bearer(created.body.key)).expect(200); // now cached
    const listed = (await api.http.get('/v1/keys').set(auth).expect(200)).body as Array<Record<string, unknown>>;
    assert.equal(listed.length, 2);
    for (const k of listed) {
      assert.deepEqual(Object.keys(k).sort(), ['createdAt', 'id', 'kind', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'tiers']);
    }
    const { auth: stranger } = await api.newTeam();
    await api.http.delete(`/v1/keys/${created.body.id}`).set(stranger).expect(404);
    await api.http.delete(`/v1/keys/not-a-uuid`).set(auth).expect(404);
    const revoked = await api.http.delete(`/v1/keys/${created.body.id}`).set(auth).expect(200);
    assert.ok(revoked.body.revokedAt);
    const denied = await api.http.get('/v1/models').set(bearer(created.body.key)).expect(401);
    assert.equal(denied.body.error.code, 'UNAUTHENTICATED');
    await api.http.get('/v1/models').set(auth).expect(200);
  });

  test('tierwise keys list | revoke: a key revoked from the CLI stops working within AUTH_CACHE_MS', async () => {
    const team = `cli-${randomUUID().slice(0, 8)}`;
    const made = await cli(['keys', 'create', '--team', team, '--name', 'laptop', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const { id, key } = JSON.parse(made.stdout) as { id: string; key: string };
    await api.http.get('/v1/models').set(bearer(key)).expect(200);
    const list = await cli(['keys', 'list', '--team', team]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${id}  ${key.slice(0, 7)}\\s+laptop`, 'm'));
    assert.ok(!list.stdout.includes(key), 'the key is never printed again');
    const revoke = await cli(['keys', 'revoke', id]);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, /revoked/);
    await new Promise((r) => setTimeout(r, 1600));
    await api.http.get('/v1/models').set(bearer(key)).expect(401);
    const missing = await cli(['keys', 'revoke', randomUUID()]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /KEY_NOT_FOUND/);
  });

  test('tierwise keys create --worker: a worker token that reaches /v1/worker only, listed with its tiers', async () => {
    const team = `ops-${randomUUID().slice(0, 8)}`;
    const made = await cli(['keys', 'create', '--worker', '--tiers', 'edge', '--team', team, '--json']);
    assert.equal(made.code, 0, made.stderr);
    const { id, key } = JSON.parse(made.stdout) as { id: string; key: string };
    const refused = await api.http.get('/v1/models').set(bearer(key)).expect(403);
    assert.equal(refused.body.error.code, 'WORKER_TOKEN_FORBIDDEN');
    const none = await api.http.post('/v1/worker/jobs/next').set(bearer(key)).send({ tier: 'edge', waitMs: 0 }).expect(204);
    assert.deepEqual(none.body, {});
    const list = await cli(['keys', 'list', '--team', team]);
    assert.match(list.stdout, new RegExp(`^${id} .*worker token for edge$`, 'm'));
    const tiersOnTeamKey = await cli(['keys', 'create', '--team', team, '--tiers', 'edge']);
    assert.notEqual(tiersOnTeamKey.code, 0);
    assert.match(tiersOnTeamKey.stderr, /--worker/);
  });

  test('webhook secrets and the signing secret are sealed at rest and shown only when made', async () => {
    const { auth } = await api.newTeam();
    const hook = await api.http.post('/v1/webhooks').set(auth).send({ url: 'http://127.0.0.1:9/hook' }).expect(201);
    const endpoint = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.body.id } });
    assert.match(endpoint.secret, /^v1\./);
    assert.ok(!endpoint.secret.includes(hook.body.secret.slice(6)), 'no plaintext in the row');
    assert.equal((await api.http.get(`/v1/webhooks/${hook.body.id}`).set(auth).expect(200)).body.secret, undefined);

    const signing = await api.http.post('/v1/webhooks/signing-secret').set(auth).expect(201);
    const stored = await prisma.webhookSigningSecret.findFirstOrThrow({ where: { createdAt: new Date(signing.body.createdAt) } });
    assert.match(stored.secret, /^v1\./);
    assert.ok(!stored.secret.includes(signing.body.secret.slice(6)));
    const read = await api.http.get('/v1/webhooks/signing-secret').set(auth).expect(200);
    assert.equal(read.body.secret, undefined, 'never readable again');
    assert.equal(read.body.createdAt, signing.body.createdAt);

    // A row from before 0008 (plaintext) is sealed at start-up and still signs with the same secret.
    await prisma.webhookEndpoint.update({ where: { id: hook.body.id }, data: { secret: hook.body.secret } });
    const repository = api.app.get(WebhooksRepository);
    await repository.onModuleInit();
    assert.match((await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.body.id } })).secret, /^v1\./);
    const delivery = await prisma.webhookDelivery.create({
      data: {
        endpointId: hook.body.id,
        teamId: endpoint.teamId,
        url: endpoint.url,
        event: 'webhook.test',
        messageId: `msg_${randomUUID()}`,
        payload: {},
      },
    });
    assert.equal((await repository.findDeliveryToSend(delivery.id))?.endpointSecret, hook.body.secret);
  });
});
