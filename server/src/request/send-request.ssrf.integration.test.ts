import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthProvider } from './auth/create-auth-provider';
import type { HostLookup, SendPolicy } from './request-types';
import { sendRequest } from './send-request';
import { localPolicy, startTestServer, type TestServer } from './test-support/start-test-server';

// A real server on loopback: if a guard fails, the request would reach it.
let server: TestServer;
const noAuth = createAuthProvider({ type: 'none' });

beforeAll(async () => {
  server = await startTestServer((_req, res) => res.end('reached'));
});
afterAll(() => server.close());

function publicPolicy(allowedHosts: string[]): SendPolicy {
  return localPolicy({ allowPrivateNetwork: false, allowedHosts });
}

const evilLookup: HostLookup = (hostname) =>
  Promise.resolve(
    hostname.endsWith('evil.test')
      ? [{ address: '127.0.0.1', family: 4 }]
      : [{ address: '10.0.0.1', family: 4 }],
  );

describe('sendRequest SSRF guard', () => {
  it.each([
    ['http://127.0.0.1:PORT/', '127.0.0.1'],
    ['http://10.0.0.5/', '10.0.0.5'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[::1]:PORT/', '[::1]'],
    ['http://[::ffff:127.0.0.1]:PORT/', '::ffff:127.0.0.1'],
    ['http://2130706433:PORT/', '127.0.0.1'],
  ])('blocks %s even when its host is allowlisted', async (url, allowed) => {
    const result = await sendRequest(
      { method: 'GET', url: url.replace('PORT', String(server.port)), headers: {} },
      publicPolicy([allowed]),
      { auth: noAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_ADDRESS_BLOCKED');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a host outside the allowlist', async () => {
    const result = await sendRequest(
      { method: 'GET', url: `http://127.0.0.1:${server.port}/`, headers: {} },
      publicPolicy(['api.example.com']),
      { auth: noAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_HOST_NOT_ALLOWED');
    expect(server.requests).toHaveLength(0);
  });

  it('blocks a name that resolves to loopback, checking the address it would connect to', async () => {
    const result = await sendRequest(
      { method: 'GET', url: `http://evil.test:${server.port}/`, headers: {} },
      publicPolicy(['evil.test']),
      { auth: noAuth, lookup: evilLookup },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_ADDRESS_BLOCKED');
    expect(!result.ok && result.error.message).toMatch(/evil\.test resolves to 127\.0\.0\.1/);
    // The server refused before connecting: that is not an attempt on the upstream.
    expect(result.attempts).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('connects to the address the guarded lookup returned (sandbox connections)', async () => {
    const result = await sendRequest(
      { method: 'GET', url: `http://api.evil.test:${server.port}/`, headers: {} },
      localPolicy({ allowedHosts: ['*.evil.test'] }),
      { auth: noAuth, lookup: evilLookup },
    );

    expect(result.ok && result.bodyText).toBe('reached');
    server.requests.length = 0;
  });

  it('blocks localhost resolved through the system resolver', async () => {
    const result = await sendRequest(
      { method: 'GET', url: `http://localhost:${server.port}/`, headers: {} },
      publicPolicy(['localhost']),
      { auth: noAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_ADDRESS_BLOCKED');
    expect(server.requests).toHaveLength(0);
  });
});
