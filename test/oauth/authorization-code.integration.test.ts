import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleConnectionsAnswer } from '../../shared/src/console/console-contracts';
import { connectOAuth } from '../support/connect-oauth';
import { signInToConsole } from '../support/console-session';
import type { ConsoleSignIn } from '../support/console-session';
import {
  FAKE_CLIENT,
  FAKE_USER,
  startFakeAuthorizationServer,
} from '../support/fake-authorization-server';
import type { FakeAuthorizationServer } from '../support/fake-authorization-server';
import { SANDBOX_SECRETS, startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * An OAuth 2.0 authorization code connection end to end: an admin connects it from the console
 * against a fake authorization server (test/support/fake-authorization-server.ts), connectors
 * run with its tokens, expired tokens are refreshed (before use, on a 401, on a 200 that says
 * "expired"), a revoked refresh token puts the connection in "needs reconnect" with one notice,
 * and connecting again recovers. The tokens never appear in clear anywhere the server writes.
 */

const CONNECTOR = 'calendar_account';
const CONNECTION = 'calendar';

let auth: FakeAuthorizationServer;
let stack: TestStack;
let admin: ConsoleSignIn;

const noticeMails = () =>
  stack.mail.messages().filter((mail) => mail.subject.startsWith('[Data Connectors] Connection'));
const refreshes = () => auth.tokenRequests.filter((sent) => sent.grantType === 'refresh_token');

async function runConnector() {
  const response = await request(stack.url)
    .post(`/api/connectors/${CONNECTOR}/run`)
    .set(stack.adminAuth)
    .send({ ticketId: 1 });
  await stack.server.alerts.idle();
  await stack.server.connectionNotices.idle();
  return response;
}

async function connections(): Promise<ConsoleConnectionsAnswer> {
  const answer = await request(stack.url).get('/api/admin/console/connections').set(admin.read);
  expect(answer.status).toBe(200);
  return answer.body as ConsoleConnectionsAnswer;
}

/** Starts the flow as the console does, consents at the fake, and follows the redirect back. */
function connect(signIn: ConsoleSignIn = admin, bindingFrom: ConsoleSignIn = signIn) {
  return connectOAuth(stack, auth, CONNECTION, signIn, bindingFrom);
}

function outcomeOf(location: string | undefined): Record<string, string> {
  const hash = new URL(location ?? '', 'http://x').hash;
  return Object.fromEntries(new URLSearchParams(hash.split('?')[1] ?? ''));
}

beforeAll(async () => {
  auth = await startFakeAuthorizationServer();
  stack = await startTestStack({
    secrets: {
      ...SANDBOX_SECRETS,
      CALENDAR_CLIENT_ID: FAKE_CLIENT.id,
      CALENDAR_CLIENT_SECRET: FAKE_CLIENT.secret,
    },
    env: { tokenEncryption: { key: randomBytes(32), previous: [], sandboxDefault: false } },
    editConfig: (config) => {
      (config.connections as Record<string, unknown>)[CONNECTION] = {
        baseUrl: auth.url,
        allowPrivateNetwork: true,
        auth: {
          type: 'oauth2AuthorizationCode',
          authorizeUrl: `${auth.url}/authorize`,
          tokenUrl: `${auth.url}/token`,
          clientId: '{{secrets.CALENDAR_CLIENT_ID}}',
          clientSecret: '{{secrets.CALENDAR_CLIENT_SECRET}}',
          scopes: ['openid', 'email', 'https://www.googleapis.com/auth/calendar.readonly'],
          authorizeParams: { access_type: 'offline', prompt: 'consent' },
          expiredWhen: "error.code == 'TOKEN_EXPIRED'",
        },
      };
      (config.connectors as unknown[]).push({
        id: CONNECTOR,
        name: 'Calendar account',
        connection: CONNECTION,
        surfaces: ['zendesk'],
        request: { method: 'GET', path: '/api/me' },
        response: { outputs: [{ name: 'email', label: 'Email', path: 'email' }] },
        alerts: { failuresInARow: 50, email: ['ops@example.com'] },
      });
    },
  });
  admin = await signInToConsole(stack);
});
afterAll(async () => {
  await stack?.close();
  await auth?.close();
});

describe('a connection nobody has connected yet', () => {
  it('is listed as not connected, with the redirect URI to register', async () => {
    const answer = await connections();
    expect(answer.connections).toEqual([
      {
        id: CONNECTION,
        state: 'not_connected',
        redirectUri: `${stack.url}/oauth/callback`,
        connectors: [CONNECTOR],
      },
    ]);
  });

  it('fails runs with CONNECTION_NOT_CONNECTED, through the connector fail path', async () => {
    const ran = await runConnector();
    expect(ran.status).toBe(200);
    expect(ran.body.outcome).toBe('failed');
    expect(ran.body.error.code).toBe('CONNECTION_NOT_CONNECTED');
    expect(ran.body.error.message).toContain('admin console');
    expect(auth.apiAuthorizations).toEqual([]);
  });

  it('cannot be connected with the bare admin token: the flow is bound to a console session', async () => {
    const started = await request(stack.url)
      .post(`/api/admin/console/connections/${CONNECTION}/oauth/start`)
      .set(stack.adminAuth);
    expect(started.status).toBe(403);
    expect(started.body.error.code).toBe('CONSOLE_SESSION_REQUIRED');
  });
});

describe('connecting from the console', () => {
  it('sends the admin to the authorize URL with state, PKCE S256 and the extra parameters', async () => {
    const started = await request(stack.url)
      .post(`/api/admin/console/connections/${CONNECTION}/oauth/start`)
      .set(admin.write);
    expect(started.status).toBe(200);
    const url = new URL(String(started.body.authorizeUrl));
    expect(url.origin + url.pathname).toBe(`${auth.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: FAKE_CLIENT.id,
      redirect_uri: `${stack.url}/oauth/callback`,
      scope: 'openid email https://www.googleapis.com/auth/calendar.readonly',
      code_challenge_method: 'S256',
      access_type: 'offline',
      prompt: 'consent',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(String(started.headers['set-cookie'])).toMatch(
      /dc_oauth_binding=[^;]+; Path=\/oauth\/callback; HttpOnly; SameSite=Lax/,
    );
  });

  it('refuses an answer brought back by another console session', async () => {
    const other = await signInToConsole(stack);
    const { back } = await connect(admin, other);
    expect(back.status).toBe(303);
    expect(outcomeOf(back.headers.location)).toMatchObject({ oauth: 'failed' });
    expect(outcomeOf(back.headers.location).reason).toContain('another console session');
    expect((await connections()).connections[0]?.state).toBe('not_connected');
  });

  it('exchanges the code (Basic client auth, the PKCE verifier) and shows who connected', async () => {
    const before = auth.tokenRequests.length;
    const { back, callback } = await connect();
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(
      `/admin#/connectors?connection=${CONNECTION}&oauth=connected`,
    );

    const exchange = auth.tokenRequests
      .slice(before)
      .find((sent) => sent.grantType === 'authorization_code');
    expect(exchange?.clientAuth).toBe('basic');
    expect(exchange?.form.redirect_uri).toBe(`${stack.url}/oauth/callback`);
    expect(exchange?.form.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(exchange?.form.client_secret).toBeUndefined();

    const [calendar] = (await connections()).connections;
    expect(calendar).toMatchObject({
      state: 'connected',
      connectedAs: FAKE_USER.email,
      connectedBy: 'admin',
    });
    expect(Date.parse(calendar?.connectedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // The same answer again: the state was single-use.
    const replay = await request(stack.url).get(callback.pathname + callback.search);
    expect(outcomeOf(replay.headers.location)).toMatchObject({ oauth: 'failed' });
  });

  it('runs connectors with the access token as a Bearer token', async () => {
    const ran = await runConnector();
    expect(ran.body.outcome).toBe('success');
    expect(ran.body.outputs[0]).toMatchObject({ name: 'email', value: FAKE_USER.email });
    expect(auth.apiAuthorizations.at(-1)).toBe(`Bearer ${auth.issuedAccessTokens.at(-1)}`);
    expect(refreshes()).toHaveLength(0);
  });
});

describe('expired access tokens', () => {
  it('on a 401: one refresh, the request sent again, the rotated refresh token kept', async () => {
    auth.expireAccessTokens();
    const calls = auth.apiAuthorizations.length;
    const ran = await runConnector();
    expect(ran.body.outcome).toBe('success');
    expect(refreshes()).toHaveLength(1);
    expect(auth.apiAuthorizations.length - calls).toBe(2);
    expect(auth.apiAuthorizations.at(-1)).toBe(`Bearer ${auth.issuedAccessTokens.at(-1)}`);
    expect(refreshes()[0]?.form.refresh_token).toBe(auth.issuedRefreshTokens[0]);
  });

  it('on a 200 whose body matches expiredWhen: one refresh and a retry, with the new refresh token', async () => {
    auth.setExpiredIn200(true);
    auth.expireAccessTokens();
    const ran = await runConnector();
    auth.setExpiredIn200(false);
    expect(ran.body.outcome).toBe('success');
    expect(ran.body.outputs[0]).toMatchObject({ value: FAKE_USER.email });
    expect(refreshes()).toHaveLength(2);
    // Rotation: the second refresh used the token the first one returned.
    expect(refreshes()[1]?.form.refresh_token).toBe(auth.issuedRefreshTokens[1]);
  });

  it('within a minute of expiry: refreshed before use, once for a burst of runs', async () => {
    auth.setExpiresIn(30);
    auth.expireAccessTokens();
    expect((await runConnector()).body.outcome).toBe('success');
    auth.setExpiresIn(3600);
    const refreshed = refreshes().length;
    const calls = auth.apiAuthorizations.length;
    const runs = await Promise.all([runConnector(), runConnector(), runConnector()]);
    expect(runs.map((ran) => ran.body.outcome)).toEqual(['success', 'success', 'success']);
    expect(refreshes().length - refreshed).toBe(1);
    // No run sent the expiring token: three calls, all with the new one.
    expect(auth.apiAuthorizations.slice(calls)).toEqual(
      Array(3).fill(`Bearer ${auth.issuedAccessTokens.at(-1)}`),
    );
  });
});

describe('a revoked refresh token', () => {
  it('puts the connection in "needs reconnect": runs fail with CONNECTION_NEEDS_RECONNECT, one notice', async () => {
    auth.revokeRefreshTokens();
    auth.expireAccessTokens();
    const ran = await runConnector();
    expect(ran.body.outcome).toBe('failed');
    expect(ran.body.error.code).toBe('CONNECTION_NEEDS_RECONNECT');
    expect(ran.body.message).toBe(
      'The other system refused the server’s credentials. Ask an admin to check them.',
    );

    const mails = noticeMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(
      `[Data Connectors] Connection "${CONNECTION}" needs reconnecting`,
    );
    expect(mails[0]?.to).toEqual(['ops@example.com']);
    expect(mails[0]?.text).toContain('invalid_grant');

    const [calendar] = (await connections()).connections;
    expect(calendar?.state).toBe('needs_reconnect');
    expect(calendar?.reason).toContain('invalid_grant');
  });

  it('fails the next runs at once, without calling anyone, and without another notice', async () => {
    const tokenCalls = auth.tokenRequests.length;
    const apiCalls = auth.apiAuthorizations.length;
    const ran = await runConnector();
    expect(ran.body.error.code).toBe('CONNECTION_NEEDS_RECONNECT');
    expect(auth.tokenRequests.length).toBe(tokenCalls);
    expect(auth.apiAuthorizations.length).toBe(apiCalls);
    expect(noticeMails()).toHaveLength(1);
  });

  it('recovers when the admin connects again, with one "connected again" notice', async () => {
    const { back } = await connect();
    expect(outcomeOf(back.headers.location)).toMatchObject({ oauth: 'connected' });
    expect((await connections()).connections[0]?.state).toBe('connected');
    const mails = noticeMails();
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toBe(
      `[Data Connectors] Connection "${CONNECTION}" is connected again`,
    );
    expect((await runConnector()).body.outcome).toBe('success');
  });
});

describe('the tokens', () => {
  const everyToken = () => [...auth.issuedAccessTokens, ...auth.issuedRefreshTokens];

  it('are not in the token file in clear', () => {
    const files = readdirSync(stack.dataDir).filter((name) =>
      name.startsWith('oauth-tokens.sqlite'),
    );
    expect(files).toContain('oauth-tokens.sqlite');
    const bytes = files
      .map((name) => readFileSync(join(stack.dataDir, name)).toString('latin1'))
      .join('');
    expect(bytes).toContain('calendar');
    for (const token of everyToken()) expect(bytes).not.toContain(token);
  });

  it('are in no run record, API answer or log line (the upstream echoed one)', async () => {
    const runs = await request(stack.url)
      .get(`/api/admin/console/runs?connectorId=${CONNECTOR}&limit=100`)
      .set(admin.read);
    expect(runs.body.runs.length).toBeGreaterThan(5);
    const details = await Promise.all(
      (runs.body.runs as { id: string }[]).map(
        async (run) =>
          (await request(stack.url).get(`/api/admin/console/runs/${run.id}`).set(admin.read)).body,
      ),
    );
    const written = [
      JSON.stringify(runs.body),
      JSON.stringify(details),
      JSON.stringify(await connections()),
      stack.logLines.join('\n'),
      ...stack.mail.messages().map((mail) => mail.raw),
    ].join('\n');
    // The upstream's echo of its Authorization header is in the records, masked.
    expect(JSON.stringify(details)).toContain(String.raw`\"seen\":\"[secret]\"`);
    for (const token of everyToken()) expect(written).not.toContain(token);
  });
});
