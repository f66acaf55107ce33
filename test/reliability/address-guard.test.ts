import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertDeliverableUrl, forbiddenAddressReason } from '../../src/webhooks/address-guard';

describe('reliability: the webhook address guard and IPv6 forms that carry IPv4', () => {
  const refused: Array<[string, RegExp]> = [
    ['::ffff:0:127.0.0.1', /IPv4-translated loopback/],
    ['::ffff:0:7f00:1', /IPv4-translated loopback/],
    ['::ffff:0:10.0.0.1', /IPv4-translated private/],
    ['::ffff:0:169.254.169.254', /IPv4-translated link-local/],
    ['0:0:0:0:ffff:0:0:0', /IPv4-translated unspecified/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['2001:10::1', /ORCHID/],
    ['2001:db8::1', /documentation/],
    ['2a00:1450::5efe:127.0.0.1', /ISATAP loopback/],
    ['2a00:1450::200:5efe:192.168.1.1', /ISATAP private/],
    ['64:ff9b::10.1.2.3', /NAT64 private/],
    ['2002:7f00:1::', /6to4 loopback/],
    ['fe80::1%eth0', /link-local/],
  ];
  for (const [address, reason] of refused)
    test(`refuses ${address}`, () => assert.match(forbiddenAddressReason(address) ?? 'allowed', reason));

  test('refuses the translated form in a URL, and still allows public addresses', async () => {
    await assert.rejects(assertDeliverableUrl('http://[::ffff:0:127.0.0.1]/hook', false), /IPv4-translated loopback/);
    await assert.rejects(assertDeliverableUrl('http://[::ffff:0:7f00:1]:8080/', false), /WEBHOOK_URL_FORBIDDEN|IPv4-translated/);
    for (const ok of ['2a00:1450:4001:82a::200e', '::ffff:0:93.184.216.34', '2a00:1450::5efe:93.184.216.34', '93.184.216.34'])
      assert.equal(forbiddenAddressReason(ok), null, ok);
  });
});
