import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthConfig, SendResult } from '../request-types';
import { sendRequest } from '../send-request';
import {
  startFakeGoogleTokenEndpoint,
  type FakeGoogleTokenEndpoint,
} from '../test-support/fake-google-token-endpoint';
import { localPolicy, startTestServer, type TestServer } from '../test-support/start-test-server';
import { createAuthProvider, createTokenCache, type TokenCache } from './create-auth-provider';

const egress = { timeoutMs: 2000, allowPrivateNetwork: true };
const SCOPES = ['https://www.googleapis.com/auth/spreadsheets.readonly'];

let google: FakeGoogleTokenEndpoint;
let api: TestServer;
let rejectedTokens: Set<string>;

beforeEach(async () => {
  google = await startFakeGoogleTokenEndpoint();
  rejectedTokens = new Set();
  api = await startTestServer((req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    res.writeHead(rejectedTokens.has(token) ? 401 : 200).end();
  });
});
afterEach(async () => {
  await google.close();
  await api.close();
});

function jwtConfig(overrides: Record<string, unknown> = {}): AuthConfig {
  return {
    type: 'jwtBearer',
    tokenUrl: google.tokenUrl,
    issuer: google.serviceAccount.clientEmail,
    scopes: SCOPES,
    privateKey: google.serviceAccount.privateKeyPem,
    ...overrides,
  } as AuthConfig;
}

function callApi(
  tokenCache: TokenCache = createTokenCache(),
  options: { config?: AuthConfig; now?: () => number } = {},
): Promise<SendResult> {
  const auth = createAuthProvider(options.config ?? jwtConfig(), {
    tokenCache,
    egress,
    ...(options.now ? { now: options.now } : {}),
  });
  return sendRequest({ method: 'GET', url: `${api.origin}/sheet`, headers: {} }, localPolicy(), {
    auth,
  });
}

function tokensSeenByApi(): Array<string | undefined> {
  return api.requests.map((r) => r.headers.authorization);
}

describe('JWT bearer grant (service accounts)', () => {
  it('trades a signed assertion for an access token and sends it upstream', async () => {
    const result = await callApi();

    expect(result.ok && result.status).toBe(200);
    expect(tokensSeenByApi()).toEqual([`Bearer ${google.issued[0]}`]);
    const form = new URLSearchParams(google.server.requests[0]?.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(google.server.requests[0]?.headers.authorization).toBeUndefined();
    const claims = google.accepted[0];
    expect(claims).toMatchObject({
      iss: google.serviceAccount.clientEmail,
      aud: google.tokenUrl,
      scope: SCOPES[0],
      header: { alg: 'RS256', typ: 'JWT' },
    });
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(3600);
    expect(claims?.sub).toBeUndefined();
  });

  it('acts as a user with domain-wide delegation and names the key id', async () => {
    await callApi(createTokenCache(), {
      config: jwtConfig({
        subject: 'agent@acme.test',
        keyId: google.serviceAccount.privateKeyId,
        scopes: ['a', 'b'],
      }),
    });

    expect(google.accepted[0]).toMatchObject({
      sub: 'agent@acme.test',
      scope: 'a b',
      header: { kid: google.serviceAccount.privateKeyId },
    });
  });

  it('reads a key pasted with the escaped newlines of the JSON key file', async () => {
    const escaped = google.serviceAccount.privateKeyPem.replaceAll('\n', '\\n');

    const result = await callApi(createTokenCache(), {
      config: jwtConfig({ privateKey: escaped }),
    });

    expect(result.ok && result.status).toBe(200);
  });

  it('reuses the token until shortly before it expires', async () => {
    google.expiresIn = 60;
    let now = Date.now();
    const cache = createTokenCache();

    await callApi(cache, { now: () => now });
    now += 50_000;
    await callApi(cache, { now: () => now });
    now += 10_000;
    await callApi(cache, { now: () => now });

    expect(google.issued).toHaveLength(2);
    expect(tokensSeenByApi()).toEqual([
      `Bearer ${google.issued[0]}`,
      `Bearer ${google.issued[0]}`,
      `Bearer ${google.issued[1]}`,
    ]);
  });

  it('fetches one token for concurrent requests', async () => {
    const cache = createTokenCache();
    await Promise.all([callApi(cache), callApi(cache), callApi(cache)]);

    expect(google.issued).toHaveLength(1);
  });

  it('signs a new assertion once on a 401 and retries with the new token', async () => {
    const cache = createTokenCache();
    await callApi(cache);
    rejectedTokens.add(google.issued[0] as string);

    const result = await callApi(cache);

    expect(result.ok && result.status).toBe(200);
    expect(google.accepted).toHaveLength(2);
    expect(result.attempts.map((a) => a.reason)).toEqual(['credentials_refreshed', 'success']);
  });

  it('fails with UPSTREAM_AUTH_FAILED and no key material for a key that is not PEM PKCS#8', async () => {
    const rsaPkcs1 = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    }).privateKey;

    for (const privateKey of ['not-a-key-SECRETMATERIAL', rsaPkcs1]) {
      const result = await callApi(createTokenCache(), { config: jwtConfig({ privateKey }) });

      expect(!result.ok && result.error.code).toBe('UPSTREAM_AUTH_FAILED');
      expect(!result.ok && result.error.message).toMatch(/not a PEM PKCS#8 RSA key/);
      const serialized = JSON.stringify(result);
      expect(serialized).not.toContain('SECRETMATERIAL');
      expect(serialized).not.toContain(rsaPkcs1.split('\n')[1]);
    }
    expect(google.server.requests).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
  });

  it("names Google's invalid_grant when the key is not the service account's", async () => {
    const otherKey = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).privateKey;

    const result = await callApi(createTokenCache(), {
      config: jwtConfig({ privateKey: otherKey }),
    });

    expect(!result.ok && result.error).toEqual({
      code: 'UPSTREAM_AUTH_FAILED',
      message: `The token endpoint ${google.server.origin.replace('http://', '')} answered 400 (invalid_grant)`,
    });
    expect(JSON.stringify(result)).not.toContain(otherKey.split('\n')[1]);
    expect(api.requests).toHaveLength(0);
  });

  it('fails with UPSTREAM_AUTH_FAILED when the token endpoint does not answer in time', async () => {
    const silent = await startTestServer(() => undefined);
    try {
      const auth = createAuthProvider(jwtConfig({ tokenUrl: `${silent.origin}/token` }), {
        egress: { timeoutMs: 200, allowPrivateNetwork: true },
      });
      const result = await sendRequest(
        { method: 'GET', url: `${api.origin}/`, headers: {} },
        localPolicy(),
        { auth },
      );

      expect(!result.ok && result.error.code).toBe('UPSTREAM_AUTH_FAILED');
      expect(!result.ok && result.error.message).toMatch(/token endpoint .* failed/);
      expect(api.requests).toHaveLength(0);
    } finally {
      await silent.close();
    }
  });
});
