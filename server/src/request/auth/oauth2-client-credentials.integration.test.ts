import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthConfig, SendResult } from '../request-types';
import { sendRequest } from '../send-request';
import { localPolicy, startTestServer, type TestServer } from '../test-support/start-test-server';
import { createAuthProvider, createTokenCache, type TokenCache } from './create-auth-provider';

const CLIENT_SECRET = 'cs-VERY-secret-value';
const egress = { timeoutMs: 2000, allowPrivateNetwork: true };

let tokenServer: TestServer;
let api: TestServer;
let tokenStatus: number;
let expiresIn: number;
let rejectedTokens: Set<string>;
let issued: number;

beforeEach(async () => {
  tokenStatus = 200;
  expiresIn = 3600;
  rejectedTokens = new Set();
  issued = 0;
  tokenServer = await startTestServer((_req, res) => {
    if (tokenStatus !== 200) {
      res.writeHead(tokenStatus, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: 'invalid_client', error_description: `bad ${CLIENT_SECRET}` }),
      );
      return;
    }
    issued += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: `tok-${issued}`,
        token_type: 'Bearer',
        expires_in: expiresIn,
      }),
    );
  });
  api = await startTestServer((req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    res.writeHead(rejectedTokens.has(token) ? 401 : 200).end();
  });
});
afterEach(async () => {
  await tokenServer.close();
  await api.close();
});

function oauthConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    type: 'oauth2ClientCredentials',
    tokenUrl: `${tokenServer.origin}/oauth/token`,
    clientId: 'my client',
    clientSecret: CLIENT_SECRET,
    scope: 'orders.read',
    audience: 'https://api.example.com',
    ...overrides,
  } as AuthConfig;
}

function callApi(tokenCache: TokenCache, now: () => number = Date.now): Promise<SendResult> {
  const auth = createAuthProvider(oauthConfig(), { tokenCache, egress, now });
  return sendRequest({ method: 'GET', url: `${api.origin}/orders`, headers: {} }, localPolicy(), {
    auth,
  });
}

function tokensSeenByApi(): Array<string | undefined> {
  return api.requests.map((r) => r.headers.authorization);
}

describe('OAuth2 client credentials', () => {
  it('posts the grant with HTTP Basic client authentication (RFC 6749 §2.3.1)', async () => {
    await callApi(createTokenCache());

    const tokenRequest = tokenServer.requests[0];
    expect(tokenRequest?.method).toBe('POST');
    expect(tokenRequest?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'orders.read',
      audience: 'https://api.example.com',
    });
    const basic = tokenRequest?.headers.authorization?.replace(/^Basic /, '') ?? '';
    expect(Buffer.from(basic, 'base64').toString()).toBe(`my+client:${CLIENT_SECRET}`);
    expect(tokenRequest?.body).not.toContain(CLIENT_SECRET);
    expect(tokensSeenByApi()).toEqual(['Bearer tok-1']);
  });

  it('fetches the token once for two requests on the same connection', async () => {
    const cache = createTokenCache();
    await callApi(cache);
    await callApi(cache);

    expect(tokenServer.requests).toHaveLength(1);
    expect(tokensSeenByApi()).toEqual(['Bearer tok-1', 'Bearer tok-1']);
  });

  it('shares one token fetch between concurrent requests', async () => {
    const cache = createTokenCache();
    await Promise.all([callApi(cache), callApi(cache), callApi(cache)]);

    expect(tokenServer.requests).toHaveLength(1);
  });

  it('keeps a separate token per connection', async () => {
    await callApi(createTokenCache());
    await callApi(createTokenCache());

    expect(tokensSeenByApi()).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('refreshes once on a 401 and retries the request with the new token', async () => {
    rejectedTokens.add('tok-1');

    const result = await callApi(createTokenCache());

    expect(result.ok && result.status).toBe(200);
    expect(tokensSeenByApi()).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(result.attempts.map((a) => a.reason)).toEqual(['credentials_refreshed', 'success']);
  });

  it('refreshes once for concurrent requests rejected with the same token', async () => {
    rejectedTokens.add('tok-1');
    const cache = createTokenCache();

    const results = await Promise.all([callApi(cache), callApi(cache), callApi(cache)]);

    expect(results.map((r) => r.ok && r.status)).toEqual([200, 200, 200]);
    expect(tokenServer.requests).toHaveLength(2);
  });

  it('refreshes only once when the new token is rejected too', async () => {
    rejectedTokens.add('tok-1').add('tok-2').add('tok-3');

    const result = await callApi(createTokenCache());

    expect(result.ok && result.status).toBe(401);
    expect(tokenServer.requests).toHaveLength(2);
    expect(api.requests).toHaveLength(2);
  });

  it('fetches a new token once the cached one expires', async () => {
    expiresIn = 60;
    let now = Date.parse('2025-01-01T00:00:00Z');
    const cache = createTokenCache();

    await callApi(cache, () => now);
    now += 50_000;
    await callApi(cache, () => now);
    now += 10_000;
    await callApi(cache, () => now);

    expect(tokensSeenByApi()).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('fetches a new token when the secret changes', async () => {
    const cache = createTokenCache();
    await callApi(cache);
    const rotated = createAuthProvider(oauthConfig({ clientSecret: 'rotated' }), {
      tokenCache: cache,
      egress,
    });
    await sendRequest({ method: 'GET', url: `${api.origin}/`, headers: {} }, localPolicy(), {
      auth: rotated,
    });

    expect(tokenServer.requests).toHaveLength(2);
  });

  it('fails with UPSTREAM_AUTH_FAILED when the token endpoint errors, without leaking the secret', async () => {
    tokenStatus = 500;

    const result = await callApi(createTokenCache());

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(!result.ok && result.error.message).toMatch(/answered 500 \(invalid_client\)/);
    expect(api.requests).toHaveLength(0);
    const serialized = JSON.stringify(result);
    expect(serialized).not.toContain(CLIENT_SECRET);
    expect(serialized).not.toContain(Buffer.from(`my+client:${CLIENT_SECRET}`).toString('base64'));
  });

  it('refuses a plain-http token URL outside sandbox connections', async () => {
    const auth = createAuthProvider(oauthConfig({ tokenUrl: 'http://auth.example.com/token' }), {
      egress: { timeoutMs: 2000, allowPrivateNetwork: false },
    });

    const result = await sendRequest(
      { method: 'GET', url: `${api.origin}/`, headers: {} },
      localPolicy(),
      {
        auth,
      },
    );

    expect(!result.ok && result.error).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED' });
    expect(!result.ok && result.error.message).toMatch(/must use https/);
  });

  it('puts the token endpoint behind the SSRF guard', async () => {
    const auth = createAuthProvider(oauthConfig({ tokenUrl: 'https://169.254.169.254/token' }), {
      egress: { timeoutMs: 2000, allowPrivateNetwork: false },
    });

    const result = await sendRequest(
      { method: 'GET', url: `${api.origin}/`, headers: {} },
      localPolicy(),
      {
        auth,
      },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(!result.ok && result.error.message).toMatch(/link-local/);
    expect(api.requests).toHaveLength(0);
  });
});
