import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTierwiseError } from '../common/errors';
import { assertDeliverableUrl, forbiddenAddressReason, publicAddressesOf } from './address-guard';

const forbidden: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['0.0.0.0', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
  ['64:ff9b::a00:1', 'NAT64 private'],
  ['2002:7f00:1::', '6to4 loopback'],
  ['2001:db8::1', 'documentation'],
];

const allowed = [
  '8.8.8.8',
  '1.1.1.1',
  '172.32.0.1',
  '172.15.255.255',
  '100.128.0.1',
  '192.169.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
];

describe('webhook address guard', () => {
  for (const [address, reason] of forbidden) {
    test(`refuses ${address} (${reason})`, () => assert.equal(forbiddenAddressReason(address), reason));
  }
  test('allows public unicast addresses', () => {
    for (const address of allowed) assert.equal(forbiddenAddressReason(address), null, address);
  });

  test('refuses a host when any of its addresses is private', async () => {
    const resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    await assert.rejects(publicAddressesOf('mixed.example', resolver), (error: unknown) => {
      assert.ok(isTierwiseError(error));
      assert.equal(error.code, 'WEBHOOK_URL_FORBIDDEN');
      assert.match(error.message, /mixed\.example resolves to 10\.0\.0\.7, which is a private address/);
      return true;
    });
    const publicOnly = async () => [{ address: '93.184.216.34', family: 4 }];
    assert.deepEqual(await publicAddressesOf('ok.example', publicOnly), [{ address: '93.184.216.34', family: 4 }]);
  });

  test('judges bracketed IPv6 literals and the names the system resolves (localhost)', async () => {
    await assert.rejects(assertDeliverableUrl('http://[::1]:8080/hook', false), /WEBHOOK|loopback/);
    await assert.rejects(assertDeliverableUrl('http://[::ffff:127.0.0.1]/hook', false), /IPv4-mapped loopback/);
    await assert.rejects(assertDeliverableUrl('http://localhost/hook', false), /loopback/);
    await assert.rejects(assertDeliverableUrl('http://2130706433/hook', false), /loopback/);
  });

  test('accepts only http and https, and private hosts only when allowed', async () => {
    await assert.rejects(assertDeliverableUrl('ftp://example.com/x', true), /only http and https/);
    await assert.rejects(assertDeliverableUrl('not a url', true), /not a valid URL/);
    assert.equal((await assertDeliverableUrl('http://127.0.0.1:9/x', true)).port, '9');
    assert.equal((await assertDeliverableUrl('https://8.8.8.8/x', false)).hostname, '8.8.8.8');
  });
});
