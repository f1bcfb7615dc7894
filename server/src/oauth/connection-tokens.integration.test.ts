import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FAKE_CLIENT,
  startFakeAuthorizationServer,
} from '../../../test/support/fake-authorization-server';
import type { FakeAuthorizationServer } from '../../../test/support/fake-authorization-server';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import type { TokenRequest } from '../request/auth/oauth2-authorization-code';
import { createConnectionTokens } from './connection-tokens';
import type { ConnectionEvent } from './connection-tokens';
import { buildAuthorizeUrl } from './oauth-routes';
import type { OAuthTokenStore } from './oauth-token-store';
import { openSqliteOAuthTokenStore } from './sqlite-oauth-token-store';
import { createTokenCipher } from '../secrets/token-cipher';

let auth: FakeAuthorizationServer;
let dir: string;
let store: OAuthTokenStore;
let request: TokenRequest;
const REDIRECT_URI = 'https://connectors.example.com/oauth/callback';
const events: ConnectionEvent[] = [];
const secrets: string[] = [];

function service(cipher = createTokenCipher(randomBytes(32))) {
  return createConnectionTokens({
    store,
    cipher,
    logger: createLogger({ level: 'silent', redactor: createRedactor(() => []) }),
    onSecret: (value) => secrets.push(value),
    onEvent: (event) => events.push(event),
  });
}

/** The consent as the console flow gets it: a code for this client, without PKCE here. */
async function connect(tokens: ReturnType<typeof service>) {
  const back = new URL(
    auth.consent(
      buildAuthorizeUrl(request.config, {
        redirectUri: REDIRECT_URI,
        state: 'state',
        codeChallenge: undefined,
      }),
    ),
  );
  return tokens.connect(request, {
    code: back.searchParams.get('code') ?? '',
    redirectUri: REDIRECT_URI,
    codeVerifier: undefined,
    user: 'admin',
  });
}

beforeAll(async () => {
  auth = await startFakeAuthorizationServer({ clientAuth: 'post' });
  dir = mkdtempSync(join(tmpdir(), 'dc-oauth-'));
  store = openSqliteOAuthTokenStore({ path: join(dir, 'oauth-tokens.sqlite') });
  request = {
    connectionId: 'hubspot',
    config: {
      type: 'oauth2AuthorizationCode',
      authorizeUrl: `${auth.url}/authorize`,
      tokenUrl: `${auth.url}/token`,
      clientId: FAKE_CLIENT.id,
      clientSecret: FAKE_CLIENT.secret,
      scopes: ['crm.objects.contacts.read'],
      authorizeParams: {},
      tokenEndpointAuth: 'client_secret_post',
      pkce: false,
    },
    egress: { timeoutMs: 5000, allowPrivateNetwork: true },
  };
});
beforeEach(() => {
  events.length = 0;
  auth.setIssueRefreshTokens(true);
});
afterAll(async () => {
  await store.close();
  await auth.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the connection token service', () => {
  it('authenticates with client_secret_post when the connection says so', async () => {
    const tokens = service();
    expect((await connect(tokens)).ok).toBe(true);
    const exchange = auth.tokenRequests.at(-1);
    expect(exchange?.clientAuth).toBe('post');
    expect(exchange?.form).toMatchObject({
      client_id: FAKE_CLIENT.id,
      client_secret: FAKE_CLIENT.secret,
    });
    expect(await tokens.accessToken(request)).toEqual({
      ok: true,
      value: auth.issuedAccessTokens.at(-1),
    });
    // Handed to the redactor before use.
    expect(secrets).toContain(auth.issuedAccessTokens.at(-1));
    expect(secrets).toContain(auth.issuedRefreshTokens.at(-1));
  });

  it("does not use tokens issued to another client (the config's client id changed)", async () => {
    const tokens = service();
    await connect(tokens);
    const other = { ...request, config: { ...request.config, clientId: 'another-client' } };
    expect(await tokens.status(other)).toMatchObject({ state: 'not_connected' });
    expect(await tokens.accessToken(other)).toMatchObject({
      ok: false,
      error: { code: 'CONNECTION_NOT_CONNECTED' },
    });
  });

  it('asks for a reconnect, once, when the token is refused and no refresh token was issued', async () => {
    const tokens = service();
    auth.setIssueRefreshTokens(false);
    await connect(tokens);
    const refused = await tokens.refresh(request, auth.issuedAccessTokens.at(-1));
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONNECTION_NEEDS_RECONNECT' } });
    if (!refused.ok) expect(refused.error.message).toContain('access_type=offline');
    await tokens.refresh(request, auth.issuedAccessTokens.at(-1));
    expect(events.map((event) => event.kind)).toEqual(['needs_reconnect']);
    expect((await tokens.status(request)).state).toBe('needs_reconnect');
  });

  it("asks for a reconnect on Atlassian's 403 invalid_grant for a rotated-away refresh token", async () => {
    const atlassian = await startFakeAuthorizationServer({
      clientAuth: 'post',
      refusals: 'atlassian',
    });
    const jira: TokenRequest = {
      ...request,
      connectionId: 'jira',
      config: { ...request.config, tokenUrl: `${atlassian.url}/token` },
    };
    try {
      const tokens = service();
      const back = new URL(
        atlassian.consent(
          buildAuthorizeUrl(jira.config, {
            redirectUri: REDIRECT_URI,
            state: 'state',
            codeChallenge: undefined,
          }),
        ),
      );
      await tokens.connect(jira, {
        code: back.searchParams.get('code') ?? '',
        redirectUri: REDIRECT_URI,
        codeVerifier: undefined,
        user: 'admin',
      });
      atlassian.revokeRefreshTokens();
      const refused = await tokens.refresh(jira, atlassian.issuedAccessTokens.at(-1));
      expect(refused).toMatchObject({ ok: false, error: { code: 'CONNECTION_NEEDS_RECONNECT' } });
      if (!refused.ok)
        expect(refused.error.message).toContain(
          '403 (invalid_grant: Unknown or invalid refresh token.)',
        );
      expect(events).toEqual([
        expect.objectContaining({ kind: 'needs_reconnect', connectionId: 'jira' }),
      ]);
    } finally {
      await atlassian.close();
    }
  });

  it('reads tokens sealed with the previous key after a rotation, and seals them again', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await connect(service(createTokenCipher(oldKey)));
    const rotated = service(createTokenCipher(newKey, [oldKey]));
    expect((await rotated.accessToken(request)).ok).toBe(true);
    const row = await store.get(request.connectionId);
    expect(createTokenCipher(newKey).isStale(row?.sealed ?? '')).toBe(false);
    // The previous key is no longer needed.
    expect((await service(createTokenCipher(newKey)).accessToken(request)).ok).toBe(true);
  });

  it('asks for a reconnect when the stored tokens cannot be decrypted (the key was lost)', async () => {
    await connect(service());
    const result = await service().accessToken(request);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECTION_NEEDS_RECONNECT' } });
    if (!result.ok) expect(result.error.message).toContain('cannot be decrypted');
  });
});
