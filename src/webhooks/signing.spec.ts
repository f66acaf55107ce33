import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { WebhookVerificationError, generateSecret, messageIdFor, signMessage, signedHeaders, verifyWebhook } from './signing';

describe('webhook signing (Standard Webhooks)', () => {
  test('matches the published Standard Webhooks test vector', () => {
    // From the Standard Webhooks reference libraries' test suite.
    const signature = signMessage(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('keys the HMAC with the decoded secret bytes, not the secret text', () => {
    const keyBytes = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    const secret = `whsec_${keyBytes.toString('base64')}`;
    const body = '{"type":"study.completed","timestamp":"2025-01-01T00:00:00.000Z","data":{"studyId":"s1"}}';
    const expected = createHmac('sha256', keyBytes).update(`msg_abc.1700000000.${body}`).digest('base64');
    assert.equal(signMessage(secret, 'msg_abc', 1700000000, body), `v1,${expected}`);
    const fromText = createHmac('sha256', secret).update(`msg_abc.1700000000.${body}`).digest('base64');
    assert.notEqual(signMessage(secret, 'msg_abc', 1700000000, body), `v1,${fromText}`);
  });

  test('a receiver verifies what we sign and rejects a changed body, id, timestamp or an old message', () => {
    const secret = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders(secret, 'msg_1', now, '{"a":1}');
    assert.equal(headers['webhook-id'], 'msg_1');
    assert.equal(headers['webhook-timestamp'], String(now));
    const withOther = { ...headers, 'webhook-signature': `v1,other ${headers['webhook-signature']}` };
    assert.doesNotThrow(() => verifyWebhook(secret, withOther, '{"a":1}'));
    assert.throws(() => verifyWebhook(secret, headers, '{"a":2}'), WebhookVerificationError);
    assert.throws(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_2' }, '{"a":1}'), WebhookVerificationError);
    assert.throws(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': String(now + 1) }, '{"a":1}'), WebhookVerificationError);
    assert.throws(() => verifyWebhook(generateSecret(), headers, '{"a":1}'), WebhookVerificationError);
    const old = signedHeaders(secret, 'msg_1', now - 600, '{"a":1}');
    assert.throws(() => verifyWebhook(secret, old, '{"a":1}'), /too old/i, 'outside the 5-minute tolerance');
  });

  test('secrets are whsec_ and 24 random bytes', () => {
    const a = generateSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 24);
    assert.notEqual(a, generateSecret());
  });

  test("a study's event has a stable message id; other messages get fresh ones", () => {
    assert.equal(messageIdFor('t1', 'study.completed', 's1'), messageIdFor('t1', 'study.completed', 's1'));
    assert.notEqual(messageIdFor('t1', 'study.completed', 's1'), messageIdFor('t1', 'study.failed', 's1'));
    assert.notEqual(messageIdFor('t1', 'study.completed', 's1'), messageIdFor('t2', 'study.completed', 's1'));
    assert.notEqual(messageIdFor('t1', 'webhook.test'), messageIdFor('t1', 'webhook.test'));
    assert.match(messageIdFor('t1', 'study.completed', 's1'), /^msg_[\w-]{27}$/);
  });
});
