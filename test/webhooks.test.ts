import type { INestApplicationContext } from '@nestjs/common';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TeamsService } from '../src/auth/teams.service';
import { QueueName } from '../src/jobs/job-catalogue';
import { WebhooksService } from '../src/webhooks/webhooks.service';
import { isolateEnvironment, startApi, startWorker, type Api } from './support/harness';

isolateEnvironment();
process.env.WEBHOOK_RETRY_SCALE = '0.001';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback: `/flaky` answers 500 to its first request and 200 after; every other path 200. */
async function startReceiver(): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const failFirst = req.url === '/flaky' && received.filter((r) => r.path === '/flaky').length === 1;
      res.writeHead(failFirst ? 500 : 200).end(failFirst ? 'try again later' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The receiver's check, written from the Standard Webhooks spec rather than with our signing code. */
function verifiesIndependently(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

describe('webhooks', () => {
  let api: Api;
  let auth: { Authorization: string };
  let teamId: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let worker: INestApplicationContext;

  before(async () => {
    receiver = await startReceiver();
    api = await startApi();
    let key: string;
    ({ auth, key } = await api.newTeam());
    teamId = (await api.app.get(TeamsService).authenticate(key))!.team.id;
    worker = await startWorker({ queues: [QueueName.Webhook] });
  });
  after(async () => {
    await worker.close();
    await api.close();
    receiver.server.closeAllConnections();
    receiver.server.close();
  });

  const register = (path: string, extra: object = {}) =>
    api.http
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: `${receiver.base}${path}`, ...extra });
  const deliveriesOf = async (id: string) => (await api.http.get(`/v1/webhooks/${id}/deliveries`).set(auth).expect(200)).body.items;
  const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);

  test('registering answers the endpoint with a secret shown only then', async () => {
    const res = await register('/created', { description: 'ops channel' }).expect(201);
    assert.match(res.body.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.equal(Buffer.from(res.body.secret.slice(6), 'base64').length, 24);
    assert.deepEqual(res.body.events, ['study.completed', 'study.failed']);
    assert.equal(res.body.description, 'ops channel');
    const got = await api.http.get(`/v1/webhooks/${res.body.id}`).set(auth).expect(200);
    assert.equal(got.body.url, `${receiver.base}/created`);
    assert.equal(got.body.secret, undefined);
    const listed = await api.http.get('/v1/webhooks').set(auth).expect(200);
    assert.ok(listed.body.some((w: { id: string; secret?: string }) => w.id === res.body.id && w.secret === undefined));
  });

  test('a study event reaches the receiver signed so that it verifies', async () => {
    const { body: endpoint } = await register('/signed', { events: ['study.completed'] }).expect(201);
    const { body: other } = await register('/failed-only', { events: ['study.failed'] }).expect(201);
    await api.app
      .get(WebhooksService)
      .emit(teamId, 'study.completed', { studyId: 'study-1', recommendation: 'edge/sptq' }, { studyId: 'study-1' });
    const [delivery] = await waitFor('the signed delivery', () => requestsTo('/signed')[0] && requestsTo('/signed'));
    const { headers, body } = delivery;
    assert.ok(verifiesIndependently(endpoint.secret, headers, body), 'signature verifies with the endpoint secret');
    assert.match(String(headers['webhook-id']), /^msg_/);
    assert.ok(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000) < 60);
    const message = JSON.parse(body);
    assert.equal(message.type, 'study.completed');
    assert.deepEqual(message.data, { studyId: 'study-1', recommendation: 'edge/sptq' });
    assert.ok(!Number.isNaN(Date.parse(message.timestamp)));
    const [logged] = await waitFor('the delivered status', async () => {
      const items = await deliveriesOf(endpoint.id);
      return items[0]?.status === 'delivered' ? items : undefined;
    });
    assert.equal(logged.attempts, 1);
    assert.equal(logged.messageId, headers['webhook-id']);
    assert.equal(logged.log[0].statusCode, 200);
    assert.equal(typeof logged.log[0].durationMs, 'number');
    assert.deepEqual(await deliveriesOf(other.id), [], 'an endpoint not subscribed to the event gets nothing');

    await api.app
      .get(WebhooksService)
      .emit(teamId, 'study.completed', { studyId: 'study-1', recommendation: 'edge/sptq' }, { studyId: 'study-1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await deliveriesOf(endpoint.id)).length, 1, 'the same study event emitted again is the same message');
  });

  test('a receiver that answers 500 is retried until it succeeds, and both attempts are logged', async () => {
    const { body: endpoint } = await register('/flaky').expect(201);
    await api.app.get(WebhooksService).emit(teamId, 'study.failed', { studyId: 'study-2', reason: 'bench failed' }, { studyId: 'study-2' });
    const [delivery] = await waitFor('the retried delivery', async () => {
      const items = await deliveriesOf(endpoint.id);
      return items[0]?.status === 'delivered' ? items : undefined;
    });
    assert.equal(delivery.attempts, 2);
    assert.deepEqual(
      delivery.log.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode]),
      [
        [1, 500],
        [2, 200],
      ],
    );
    assert.equal(delivery.log[0].error, 'HTTP 500: try again later');
    assert.equal(delivery.log[1].error, null);
    const [first, second] = requestsTo('/flaky');
    assert.equal(first.headers['webhook-id'], second.headers['webhook-id'], 'the message id is stable across retries');
    assert.equal(first.body, second.body);
    assert.ok(verifiesIndependently(endpoint.secret, second.headers, second.body));
  });

  test("a study's own webhookUrl is signed with the team's signing secret", async () => {
    const { body: signing } = await api.http.post('/v1/webhooks/signing-secret').set(auth).expect(201);
    assert.match(signing.secret, /^whsec_/);
    const { body: later } = await api.http.get('/v1/webhooks/signing-secret').set(auth).expect(200);
    assert.equal(later.secret, undefined, 'shown only when made');
    assert.equal(later.createdAt, signing.createdAt);
    await api.app
      .get(WebhooksService)
      .emit(teamId, 'study.completed', { studyId: 'study-3' }, { studyId: 'study-3', extraUrl: `${receiver.base}/study-own` });
    const [delivery] = await waitFor('the webhookUrl delivery', () => requestsTo('/study-own')[0] && requestsTo('/study-own'));
    assert.ok(verifiesIndependently(signing.secret, delivery.headers, delivery.body));
  });

  test('the ping sends webhook.test to the endpoint', async () => {
    const { body: endpoint } = await register('/ping', { events: ['study.failed'] }).expect(201);
    const queued = await api.http.post(`/v1/webhooks/${endpoint.id}/test`).set(auth).expect(202);
    assert.equal(queued.body.event, 'webhook.test');
    const [ping] = await waitFor('the ping', () => requestsTo('/ping')[0] && requestsTo('/ping'));
    assert.equal(JSON.parse(ping.body).type, 'webhook.test');
    assert.ok(verifiesIndependently(endpoint.secret, ping.headers, ping.body));
    await waitFor('the ping logged as delivered', async () =>
      (await deliveriesOf(endpoint.id))[0]?.status === 'delivered' ? true : undefined,
    );
  });

  test("another team cannot see, test, or delete a team's endpoint", async () => {
    const { body: endpoint } = await register('/private').expect(201);
    const { auth: stranger } = await api.newTeam();
    await api.http.get(`/v1/webhooks/${endpoint.id}`).set(stranger).expect(404);
    await api.http.get(`/v1/webhooks/${endpoint.id}/deliveries`).set(stranger).expect(404);
    await api.http.post(`/v1/webhooks/${endpoint.id}/test`).set(stranger).expect(404);
    await api.http.delete(`/v1/webhooks/${endpoint.id}`).set(stranger).expect(404);
    assert.deepEqual((await api.http.get('/v1/webhooks').set(stranger).expect(200)).body, []);
    await api.http.delete(`/v1/webhooks/${endpoint.id}`).set(auth).expect(204);
    const res = await api.http.get(`/v1/webhooks/${endpoint.id}`).set(auth).expect(404);
    assert.equal(res.body.error.code, 'WEBHOOK_NOT_FOUND');
  });

  test('bad input is a 400 naming the field', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ url: 'not a url' }, /url/],
      [{ url: 'ftp://example.com/hook' }, /url must be an http or https URL/],
      [{ url: `${receiver.base}/x`, events: ['study.started'] }, /events must be one of/],
      [{ url: `${receiver.base}/x`, events: [] }, /events should not be empty/],
      [{ url: `${receiver.base}/x`, secret: 'mine' }, /property secret should not exist/],
      [{}, /url/],
    ];
    for (const [body, message] of cases) {
      const res = await api.http.post('/v1/webhooks').set(auth).send(body).expect(400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED', JSON.stringify(body));
      assert.match(res.body.error.message, message);
    }
  });

  test('GraphQL lists, creates and deletes through the same service', async () => {
    const gql = (query: string, variables: object = {}) => api.http.post('/graphql').set(auth).send({ query, variables }).expect(200);
    const created = await gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id url events secret } }`, {
      input: { url: `${receiver.base}/graphql`, events: ['study.failed'] },
    });
    assert.equal(created.body.errors, undefined);
    const { id, secret, events } = created.body.data.createWebhook;
    assert.match(secret, /^whsec_/);
    assert.deepEqual(events, ['study.failed']);
    const listed = await gql('{ webhooks { id url } }');
    assert.ok(listed.body.data.webhooks.some((w: { id: string }) => w.id === id));
    const invalid = await gql(`mutation { createWebhook(input: { url: "ftp://example.com" }) { id } }`);
    assert.equal(invalid.body.errors[0].extensions.code, 'VALIDATION_FAILED');
    assert.equal((await gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id })).body.data.deleteWebhook, true);
    await api.http.get(`/v1/webhooks/${id}`).set(auth).expect(404);
  });
});

describe('webhooks with private addresses forbidden', () => {
  let api: Api;
  before(async () => {
    const previous = process.env.ALLOW_PRIVATE_WEBHOOKS;
    process.env.ALLOW_PRIVATE_WEBHOOKS = 'false';
    try {
      api = await startApi();
    } finally {
      process.env.ALLOW_PRIVATE_WEBHOOKS = previous;
    }
  });
  after(async () => api.close());

  test('a loopback, link-local or localhost URL is refused at registration', async () => {
    const { auth } = await api.newTeam();
    for (const url of ['http://127.0.0.1:8080/hook', 'http://169.254.169.254/latest', 'http://localhost/hook', 'http://[::1]/hook']) {
      const res = await api.http.post('/v1/webhooks').set(auth).send({ url }).expect(400);
      assert.equal(res.body.error.code, 'WEBHOOK_URL_FORBIDDEN', url);
      assert.match(res.body.error.message, /^url: /);
    }
  });
});
