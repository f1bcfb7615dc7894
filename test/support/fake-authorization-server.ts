import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OAuth 2.0 authorization server and the API it protects, written from RFC 6749 (§4.1 the
 * code grant, §5.1-5.2 token answers and errors, §6 refresh) and RFC 7636 (PKCE S256), with the
 * token answers Google and Atlassian document:
 * - `{ access_token, expires_in, refresh_token, scope, token_type: "Bearer" }` (+ `id_token`
 *   for an `openid` scope, as Google adds);
 * - a refused grant: 400 `{ "error": "invalid_grant", "error_description": "Token has been
 *   expired or revoked." }` (Google's words), or Atlassian's 403 `{ "error": "invalid_grant",
 *   "error_description": "Unknown or invalid refresh token." }`;
 * - refresh token rotation as Atlassian does it: each refresh issues a new refresh token and the
 *   old one stops working.
 * The API (`GET /api/me`) answers 401 with `WWW-Authenticate: Bearer error="invalid_token"` for
 * an unknown or expired token (RFC 6750 §3.1), or, in `expiredIn200` mode, 200 with an error
 * body as some services do.
 */

export const FAKE_CLIENT = {
  id: 'calendar-client-id',
  secret: 'calendar-client-secret-0123456789',
};
export const FAKE_USER = { email: 'ada@example.com', name: 'Ada Lovelace' };

interface CodeGrant {
  redirectUri: string;
  challenge: string | undefined;
  scope: string;
}

export interface TokenRequestRecord {
  grantType: string;
  clientAuth: 'basic' | 'post' | 'none';
  form: Record<string, string>;
}

export interface FakeAuthorizationServer {
  url: string;
  /** Every token endpoint request, in order. */
  tokenRequests: TokenRequestRecord[];
  /** Every Authorization header the API received. */
  apiAuthorizations: string[];
  /** Access tokens issued, in order (so a test can look for them where they must not be). */
  issuedAccessTokens: string[];
  issuedRefreshTokens: string[];
  /** Access tokens now expire: the API refuses them. */
  expireAccessTokens(): void;
  /** The API answers an expired token with 200 and an error body instead of 401. */
  setExpiredIn200(on: boolean): void;
  /** Lifetime of the tokens issued from now on (seconds). */
  setExpiresIn(seconds: number): void;
  /** Whether grants include a refresh token (Google gives none without access_type=offline). */
  setIssueRefreshTokens(on: boolean): void;
  /** Revokes every refresh token (the user removed the app's access). */
  revokeRefreshTokens(): void;
  /** Follows the authorize URL as a consenting user would: the redirect back, with code and state. */
  consent(authorizeUrl: string): string;
  /**
   * Whether an `Authorization` header carries a live access token this server issued: what a
   * resource server the tokens are for (a fixture of Google Calendar, say) checks.
   */
  acceptsAuthorization(header: string | undefined): boolean;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    // RFC 6749 §5.1: token answers must not be cached.
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startFakeAuthorizationServer(
  options: { clientAuth?: 'basic' | 'post'; refusals?: 'google' | 'atlassian' } = {},
): Promise<FakeAuthorizationServer> {
  const codes = new Map<string, CodeGrant>();
  const accessTokens = new Map<string, { expired: boolean }>();
  const refreshTokens = new Map<string, { scope: string }>();
  const tokenRequests: TokenRequestRecord[] = [];
  const apiAuthorizations: string[] = [];
  const issuedAccessTokens: string[] = [];
  const issuedRefreshTokens: string[] = [];
  let expiresIn = 3600;
  let expiredIn200 = false;
  let issueRefreshTokens = true;
  const expectedAuth = options.clientAuth ?? 'basic';

  const issue = (scope: string, withRefresh: boolean) => {
    const access = `ya29.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(access, { expired: false });
    issuedAccessTokens.push(access);
    const body: Record<string, unknown> = {
      access_token: access,
      expires_in: expiresIn,
      scope,
      token_type: 'Bearer',
    };
    if (withRefresh) {
      const refresh = `1//${randomBytes(24).toString('base64url')}`;
      refreshTokens.set(refresh, { scope });
      issuedRefreshTokens.push(refresh);
      body.refresh_token = refresh;
    }
    if (scope.split(' ').includes('openid')) {
      // Unsigned is enough here: the client reads it for display only.
      body.id_token = `${b64url({ alg: 'none' })}.${b64url({ sub: '1234', email: FAKE_USER.email, name: FAKE_USER.name })}.`;
    }
    return body;
  };

  const invalidGrant = (res: ServerResponse) =>
    options.refusals === 'atlassian'
      ? sendJson(res, 403, {
          error: 'invalid_grant',
          error_description: 'Unknown or invalid refresh token.',
        })
      : sendJson(res, 400, {
          error: 'invalid_grant',
          error_description: 'Token has been expired or revoked.',
        });

  const handleToken = async (req: IncomingMessage, res: ServerResponse) => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let clientId: string | undefined;
    let clientSecret: string | undefined;
    let clientAuth: TokenRequestRecord['clientAuth'] = 'none';
    if (basic) {
      // RFC 6749 §2.3.1: form-encoded id and secret, then Basic.
      const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id.replaceAll('+', ' '));
      clientSecret = decodeURIComponent(secret.replaceAll('+', ' '));
      clientAuth = 'basic';
    } else if (form.client_secret !== undefined) {
      clientId = form.client_id;
      clientSecret = form.client_secret;
      clientAuth = 'post';
    }
    tokenRequests.push({ grantType: form.grant_type ?? '', clientAuth, form });
    if (
      clientAuth !== expectedAuth ||
      clientId !== FAKE_CLIENT.id ||
      clientSecret !== FAKE_CLIENT.secret
    ) {
      sendJson(
        res,
        401,
        { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
        { 'www-authenticate': 'Basic' },
      );
      return;
    }
    if (form.grant_type === 'authorization_code') {
      const grant = codes.get(form.code ?? '');
      codes.delete(form.code ?? '');
      if (!grant || grant.redirectUri !== form.redirect_uri) return invalidGrant(res);
      if (grant.challenge !== undefined) {
        const verifier = form.code_verifier ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (challenge !== grant.challenge) return invalidGrant(res);
      }
      sendJson(res, 200, issue(grant.scope, issueRefreshTokens));
      return;
    }
    if (form.grant_type === 'refresh_token') {
      const known = refreshTokens.get(form.refresh_token ?? '');
      if (!known) return invalidGrant(res);
      // Rotation: the refresh token just used is spent.
      refreshTokens.delete(form.refresh_token ?? '');
      sendJson(res, 200, issue(known.scope, true));
      return;
    }
    sendJson(res, 400, { error: 'unsupported_grant_type' });
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? '';
    apiAuthorizations.push(header);
    const token = /^Bearer (.+)$/.exec(header)?.[1] ?? '';
    const known = accessTokens.get(token);
    if (!known || known.expired) {
      if (known && expiredIn200) {
        sendJson(res, 200, { error: { code: 'TOKEN_EXPIRED', message: 'Access token expired' } });
        return;
      }
      sendJson(
        res,
        401,
        { error: 'invalid_token' },
        {
          'www-authenticate':
            'Bearer error="invalid_token", error_description="The access token expired"',
        },
      );
      return;
    }
    // An API that echoes the credentials it got (some debug endpoints do): the redactor's test.
    sendJson(res, 200, { email: FAKE_USER.email, name: FAKE_USER.name, seen: header });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/token') {
      void handleToken(req, res);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/authorize') {
      // The user is signed in and consents at once (a browser test follows this redirect).
      try {
        res.writeHead(302, { location: consent(`http://localhost${req.url ?? ''}`) }).end();
      } catch (error) {
        res.writeHead(400).end(error instanceof Error ? error.message : 'bad request');
      }
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/me') {
      handleApi(req, res);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests,
    apiAuthorizations,
    issuedAccessTokens,
    issuedRefreshTokens,
    expireAccessTokens: () => {
      for (const state of accessTokens.values()) state.expired = true;
    },
    setExpiredIn200: (on) => {
      expiredIn200 = on;
    },
    setExpiresIn: (seconds) => {
      expiresIn = seconds;
    },
    setIssueRefreshTokens: (on) => {
      issueRefreshTokens = on;
    },
    revokeRefreshTokens: () => refreshTokens.clear(),
    consent: (authorizeUrl) => consent(authorizeUrl),
    acceptsAuthorization: (header) => {
      const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
      const known = token === undefined ? undefined : accessTokens.get(token);
      return known !== undefined && !known.expired;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  function consent(authorizeUrl: string): string {
    const url = new URL(authorizeUrl);
    const query = url.searchParams;
    if (query.get('response_type') !== 'code' || query.get('client_id') !== FAKE_CLIENT.id) {
      throw new Error(`the fake refuses this authorize request: ${authorizeUrl}`);
    }
    const redirectUri = query.get('redirect_uri') ?? '';
    const method = query.get('code_challenge_method');
    if (query.get('code_challenge') !== null && method !== 'S256') {
      throw new Error('only S256 challenges');
    }
    const code = `4/${randomBytes(16).toString('base64url')}`;
    codes.set(code, {
      redirectUri,
      challenge: query.get('code_challenge') ?? undefined,
      scope: query.get('scope') ?? '',
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', query.get('state') ?? '');
    return back.href;
  }
}
