import { afterEach, describe, expect, it } from 'vitest';
import { createAuthProvider } from './auth/create-auth-provider';
import { sendRequest } from './send-request';
import { localPolicy, startTestServer, type TestServer } from './test-support/start-test-server';

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}

/** Redirects every request to `location()` with `status`, except paths starting with /final. */
async function startRedirector(status: number, location: () => string): Promise<TestServer> {
  return startServer((req, res) => {
    if (req.url?.startsWith('/final')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"final"}');
      return;
    }
    res.writeHead(status, { location: location() }).end();
  });
}

const apiKeyAuth = createAuthProvider({
  type: 'apiKeyHeader',
  header: 'X-Api-Key',
  value: 'key-123',
});
const credentialHeaders = {
  Authorization: 'Bearer tok-456',
  Cookie: 'session=abc',
  'X-Trace': 't1',
};

describe('sendRequest redirects', () => {
  it('keeps credentials on a same-origin redirect', async () => {
    const server = await startRedirector(302, () => '/final');

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/start`, headers: credentialHeaders },
      localPolicy(),
      { auth: apiKeyAuth },
    );

    expect(result.ok && result.json).toEqual({ at: 'final' });
    expect(result.ok && result.finalUrl).toBe(`${server.origin}/final`);
    expect(server.requests[1]?.headers).toMatchObject({
      authorization: 'Bearer tok-456',
      cookie: 'session=abc',
      'x-api-key': 'key-123',
    });
  });

  it('drops every credential when redirected to another origin', async () => {
    const other = await startServer((_req, res) => res.end('elsewhere'));
    const server = await startRedirector(302, () => `${other.origin}/landing`);

    const result = await sendRequest(
      {
        method: 'GET',
        url: `${server.origin}/start`,
        // A header the connector filled from {{secrets.*}} counts as a credential too.
        headers: { ...credentialHeaders, 'X-Shop-Key': 'from-a-secret' },
        secretHeaders: ['x-shop-key'],
      },
      // The other origin is allowed explicitly (another port is another origin).
      localPolicy({ allowedHosts: ['127.0.0.1', other.origin] }),
      { auth: apiKeyAuth },
    );

    expect(result.ok && result.bodyText).toBe('elsewhere');
    const received = other.requests[0]?.headers ?? {};
    expect(received['authorization']).toBeUndefined();
    expect(received['cookie']).toBeUndefined();
    expect(received['x-api-key']).toBeUndefined();
    expect(received['x-shop-key']).toBeUndefined();
    expect(received['x-trace']).toBe('t1');
  });

  it('refuses a redirect to another port on the same host unless that port is allowed', async () => {
    const other = await startServer((_req, res) => res.end('another service'));
    const server = await startRedirector(302, () => `${other.origin}/`);
    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/start`, headers: { 'X-Shop-Key': 's' } },
      localPolicy({ allowedHosts: ['127.0.0.1'] }),
      { auth: apiKeyAuth },
    );
    expect(!result.ok && result.error.code).toBe('UPSTREAM_REDIRECT_BLOCKED');
    expect(!result.ok && result.error.message).toContain(
      `http://127.0.0.1:${other.port} is not in the connection's allowed hosts`,
    );
    expect(other.requests).toHaveLength(0);
  });

  it('turns a POST into a body-less GET on 303', async () => {
    const server = await startRedirector(303, () => '/final');

    await sendRequest(
      {
        method: 'POST',
        url: `${server.origin}/start`,
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
      },
      localPolicy(),
      { auth: apiKeyAuth },
    );

    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', '{"a":1}'],
      ['GET', ''],
    ]);
    expect(server.requests[1]?.headers['content-type']).toBeUndefined();
  });

  it('keeps method and body on 307', async () => {
    const server = await startRedirector(307, () => '/final');

    await sendRequest(
      { method: 'POST', url: `${server.origin}/start`, headers: {}, body: '{"a":1}' },
      localPolicy(),
      { auth: apiKeyAuth },
    );

    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', '{"a":1}'],
      ['POST', '{"a":1}'],
    ]);
  });

  it('refuses to follow a redirect to a host outside the allowlist', async () => {
    const other = await startServer((_req, res) => res.end('should not be reached'));
    const server = await startRedirector(302, () => `http://localhost:${other.port}/`);

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/start`, headers: {} },
      localPolicy(),
      { auth: apiKeyAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_REDIRECT_BLOCKED');
    expect(!result.ok && result.error.message).toMatch(
      /localhost:\d+ is not in the connection's allowed hosts/,
    );
    expect(other.requests).toHaveLength(0);
  });

  it('refuses to follow a redirect to a non-http scheme', async () => {
    const server = await startRedirector(302, () => 'file:///etc/passwd');

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/start`, headers: {} },
      localPolicy(),
      { auth: apiKeyAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_REDIRECT_BLOCKED');
  });

  it('gives up on a redirect loop after maxRedirects hops', async () => {
    const server = await startRedirector(302, () => '/loop');

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/loop`, headers: {} },
      localPolicy({ maxRedirects: 3 }),
      { auth: apiKeyAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_TOO_MANY_REDIRECTS');
    expect(server.requests).toHaveLength(4);
    expect(result.attempts).toHaveLength(1);
  });
});
