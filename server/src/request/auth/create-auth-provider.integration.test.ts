import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendRequest } from '../send-request';
import { localPolicy, startTestServer, type TestServer } from '../test-support/start-test-server';
import { createAuthProvider } from './create-auth-provider';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer((req, res) => {
    res.writeHead(req.url === '/protected' ? 401 : 200).end();
  });
});
afterEach(() => server.close());

async function headersReceivedWith(auth: ReturnType<typeof createAuthProvider>) {
  const result = await sendRequest(
    { method: 'GET', url: `${server.origin}/`, headers: { Authorization: 'from-the-connector' } },
    localPolicy(),
    { auth },
  );
  expect(result.ok).toBe(true);
  return server.requests[0]?.headers ?? {};
}

describe('createAuthProvider', () => {
  it('sends a bearer token', async () => {
    const headers = await headersReceivedWith(
      createAuthProvider({ type: 'bearer', token: 'tok-1' }),
    );
    expect(headers['authorization']).toBe('Bearer tok-1');
  });

  it('sends UTF-8 Basic credentials', async () => {
    const headers = await headersReceivedWith(
      createAuthProvider({ type: 'basic', username: 'jane@example.com', password: 'pä ss' }),
    );
    const encoded = headers['authorization']?.replace(/^Basic /, '') ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe('jane@example.com:pä ss');
  });

  it('sends an API key in its own header', async () => {
    const headers = await headersReceivedWith(
      createAuthProvider({
        type: 'apiKeyHeader',
        header: 'X-Shopify-Access-Token',
        value: 'shpat_1',
      }),
    );
    expect(headers['x-shopify-access-token']).toBe('shpat_1');
    expect(headers['authorization']).toBe('from-the-connector');
  });

  it('adds nothing for none', async () => {
    const headers = await headersReceivedWith(createAuthProvider({ type: 'none' }));
    expect(headers['authorization']).toBe('from-the-connector');
  });

  it('refuses a Basic username containing a colon before calling anyone', async () => {
    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      { auth: createAuthProvider({ type: 'basic', username: 'a:b', password: 'hunter2' }) },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(server.requests).toHaveLength(0);
  });

  it('hands a 401 to the connector rules when the credentials cannot be refreshed', async () => {
    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/protected`, headers: {} },
      localPolicy(),
      { auth: createAuthProvider({ type: 'bearer', token: 'tok-1' }) },
    );

    expect(result.ok && result.status).toBe(401);
    expect(server.requests).toHaveLength(1);
    expect(result.attempts).toEqual([{ attempt: 1, status: 401, reason: 'credentials_rejected' }]);
  });

  it('keeps the secret out of failure results', async () => {
    await server.close();
    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      {
        auth: createAuthProvider({ type: 'bearer', token: 'tok-SECRET' }),
        sleep: () => Promise.resolve(),
      },
    );

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('tok-SECRET');
  });
});
