import type { LookupAddress as DnsLookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import type { LookupAddress } from './request-types';
import {
  BlockedAddressError,
  checkTarget,
  classifyAddress,
  createGuardedLookup,
  isHostAllowed,
  isUrlAllowed,
} from './ssrf-guard';

describe('classifyAddress', () => {
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('lets public %s through', (ip) => {
    expect(classifyAddress(ip)).toEqual({ blocked: false });
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001::1', 'teredo'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::a00:1', 'ipv4Compatible'],
    ['::808:808', 'ipv4Compatible'],
    ['64:ff9b:1::a00:1', 'nat64LocalUse'],
    ['64:ff9b:1:ffff::1', 'nat64LocalUse'],
    ['[::1]', 'loopback'],
    ['not-an-ip', 'invalid'],
  ])('blocks %s as %s', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ blocked: true, range });
  });
});

describe('isHostAllowed', () => {
  const allowed = ['api.example.com', '*.myshopify.com', '203.0.113.7', '[2001:db8::1]'];

  it.each([
    'api.example.com',
    'API.Example.com',
    'api.example.com.',
    'acme.myshopify.com',
    'a.b.myshopify.com',
    '203.0.113.7',
    '[2001:db8:0:0::1]',
  ])('allows %s', (host) => {
    expect(isHostAllowed(host, allowed)).toBe(true);
  });

  it.each([
    'example.com',
    'evilapi.example.com',
    'myshopify.com',
    'evilmyshopify.com',
    '203.0.113.8',
  ])('refuses %s', (host) => {
    expect(isHostAllowed(host, allowed)).toBe(false);
  });
});

describe('isUrlAllowed: scheme, host and port', () => {
  const base = 'http://127.0.0.1:3000';
  it.each([
    ['the base URL itself', 'http://127.0.0.1:3000/x', ['127.0.0.1'], true],
    ['another port on the base host', 'http://127.0.0.1:6379/', ['127.0.0.1'], false],
    ['https on the base host', 'https://127.0.0.1:3000/', ['127.0.0.1'], false],
    ['a port the entry names', 'http://127.0.0.1:8080/', ['127.0.0.1', '127.0.0.1:8080'], true],
    [
      'a scheme and port the entry names',
      'https://api.example.com:8443/',
      ['https://api.example.com:8443'],
      true,
    ],
    ['another host on the default port of the base scheme', 'http://10.0.0.5/', ['10.0.0.5'], true],
    ['another host on another port', 'http://10.0.0.5:9000/', ['10.0.0.5'], false],
  ])('%s', (_name, url, allowedHosts, allowed) => {
    expect(isUrlAllowed(new URL(url), allowedHosts, base)).toBe(allowed);
  });

  it('answers each base origin, scheme, host and port on its own for the same allowlist', () => {
    // One array asked again and again, as a compiled connection's is on every run.
    const allowedHosts = ['127.0.0.1', 'api.example.com'];
    const asked = [
      ['http://127.0.0.1:3000/a', base, true],
      ['http://127.0.0.1:3000/b?q=1', base, true],
      ['http://127.0.0.1:6379/', base, false],
      ['https://127.0.0.1:3000/', base, false],
      ['http://127.0.0.1:6379/', 'http://127.0.0.1:6379', true],
      ['http://127.0.0.1:3000/', undefined, false],
      ['https://127.0.0.1/', undefined, true],
      ['http://api.example.com/', base, true],
      ['http://api.example.com:3000/', base, false],
      ['http://other.example.com/', base, false],
    ] as const;
    for (let round = 0; round < 2; round += 1) {
      for (const [url, baseOrigin, allowed] of asked) {
        expect([url, baseOrigin, isUrlAllowed(new URL(url), allowedHosts, baseOrigin)]).toEqual([
          url,
          baseOrigin,
          allowed,
        ]);
      }
    }
  });

  it('allows https on 443 only for bare entries when there is no base origin', () => {
    expect(isUrlAllowed(new URL('https://api.example.com/'), ['api.example.com'])).toBe(true);
    expect(isUrlAllowed(new URL('http://api.example.com/'), ['api.example.com'])).toBe(false);
    expect(isUrlAllowed(new URL('https://api.example.com:444/'), ['api.example.com'])).toBe(false);
  });

  it('matches IPv6 literals with their port', () => {
    expect(isUrlAllowed(new URL('http://[::1]:8080/'), ['[::1]:8080'], base)).toBe(true);
    expect(isUrlAllowed(new URL('http://[::1]:8081/'), ['[::1]:8080'], base)).toBe(false);
  });
});

describe('checkTarget', () => {
  const policy = {
    allowedHosts: ['api.example.com', 'http://127.0.0.1'],
    allowPrivateNetwork: false,
  };

  it('accepts an allowlisted https URL', () => {
    expect(checkTarget('https://api.example.com/x?q=1', policy).ok).toBe(true);
  });

  it.each([
    ['ftp://api.example.com/', 'UPSTREAM_INVALID_URL'],
    ['https://user:pw@api.example.com/', 'UPSTREAM_INVALID_URL'],
    ['not a url', 'UPSTREAM_INVALID_URL'],
    ['https://other.example.com/', 'UPSTREAM_HOST_NOT_ALLOWED'],
    ['http://api.example.com/', 'UPSTREAM_HOST_NOT_ALLOWED'],
    ['https://api.example.com:8443/', 'UPSTREAM_HOST_NOT_ALLOWED'],
    ['http://127.0.0.1/', 'UPSTREAM_ADDRESS_BLOCKED'],
    ['http://2130706433/', 'UPSTREAM_ADDRESS_BLOCKED'],
    ['http://0x7f.1/', 'UPSTREAM_ADDRESS_BLOCKED'],
  ])('refuses %s with %s', (url, code) => {
    const result = checkTarget(url, policy);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('refuses IPv4-compatible and local-use NAT64 literals, as a URL parser writes them', () => {
    for (const url of [
      'http://[::127.0.0.1]/',
      'http://[::10.0.0.1]/',
      'http://[64:ff9b:1::a00:1]/',
    ]) {
      const host = new URL(url).hostname;
      const result = checkTarget(url, {
        allowedHosts: [`http://${host}`],
        allowPrivateNetwork: false,
      });
      expect(!result.ok && result.error.code, url).toBe('UPSTREAM_ADDRESS_BLOCKED');
    }
  });

  it('never echoes the query string', () => {
    const result = checkTarget('https://other.example.com/p?email=jane@example.com', policy);
    expect(JSON.stringify(result)).not.toContain('jane');
  });
});

describe('createGuardedLookup', () => {
  const resolveTo =
    (...addresses: LookupAddress[]) =>
    () =>
      Promise.resolve(addresses);

  function lookupWith(resolve: () => Promise<LookupAddress[]>, all: boolean, allowPrivate = false) {
    return new Promise<{
      error: Error | null;
      address: string | DnsLookupAddress[];
      family?: number;
    }>((done) =>
      createGuardedLookup(resolve, allowPrivate)('host.test', { all }, (error, address, family) =>
        done({ error, address, family }),
      ),
    );
  }

  it('returns every public address when asked for all', async () => {
    const result = await lookupWith(
      resolveTo({ address: '93.184.216.34', family: 4 }, { address: '2606:2800::1', family: 6 }),
      true,
    );
    expect(result.error).toBeNull();
    expect(result.address).toHaveLength(2);
  });

  it('returns the first address in callback form', async () => {
    const result = await lookupWith(resolveTo({ address: '93.184.216.34', family: 4 }), false);
    expect(result).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });

  it('fails the whole name when any address is private', async () => {
    const result = await lookupWith(
      resolveTo({ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }),
      true,
    );
    expect(result.error).toBeInstanceOf(BlockedAddressError);
    expect(result.error?.message).toMatch(/host\.test resolves to 10\.1\.2\.3/);
  });

  it('lets private addresses through for sandbox connections', async () => {
    const result = await lookupWith(resolveTo({ address: '127.0.0.1', family: 4 }), false, true);
    expect(result.error).toBeNull();
  });
});
