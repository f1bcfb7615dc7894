import { createHmac, createPublicKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import { oauthError } from './salesforce-replies';
import type { SalesforceReply } from './salesforce-replies';

/**
 * The token endpoint (`POST /services/oauth2/token`) and the sessions it hands out.
 *
 * Doc facts followed (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server
 * Integration" and "OAuth 2.0 Refresh Token Flow"; RFC 7523):
 * - JWT bearer: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`; the
 *   JWT is RS256-signed with the key whose certificate is on the connected app; `iss` is the
 *   connected app's client id, `sub` the username, `aud` https://login.salesforce.com (or
 *   https://test.salesforce.com), `exp` a few minutes ahead. No refresh token is returned.
 * - Refresh token: `grant_type=refresh_token&client_id&refresh_token[&client_secret]`.
 * - Success: `{access_token, instance_url, id, token_type: "Bearer", issued_at, signature}`;
 *   failure: 400 `{error, error_description}` (invalid_grant, invalid_client_id, …).
 * Assumptions: the exact `error_description` texts (Salesforce's wording varies by cause).
 */

export interface FakeSession {
  username: string;
  userId: string;
}

export interface FakeSessions {
  /** Starts a session and returns its access token. */
  issue(session: FakeSession): string;
  lookup(accessToken: string): FakeSession | undefined;
  /** Ends one session, or every session (sandbox tokens included) when no token is given. */
  expire(accessToken?: string): void;
  /** Tokens handed out by the token endpoint, oldest first (tests compare them). */
  readonly issued: string[];
}

export function createFakeSessions(staticTokens: Record<string, FakeSession>): FakeSessions {
  const sessions = new Map<string, FakeSession>(Object.entries(staticTokens));
  const issued: string[] = [];
  return {
    issue(session) {
      const token = `00DSB!${randomBytes(24).toString('base64url')}`;
      sessions.set(token, session);
      issued.push(token);
      return token;
    },
    lookup(token) {
      for (const [known, session] of sessions) {
        const a = Buffer.from(known);
        const b = Buffer.from(token);
        if (a.length === b.length && timingSafeEqual(a, b)) return session;
      }
      return undefined;
    },
    expire(token) {
      if (token === undefined) sessions.clear();
      else sessions.delete(token);
    },
    issued,
  };
}

export interface TokenEndpointConfig {
  /** Connected apps the org knows: client id → secret (the secret is optional in the refresh flow). */
  clients: Record<string, { clientSecret: string }>;
  /** Refresh tokens the org accepts, with the client and user they were issued to. */
  refreshTokens: Record<string, { clientId: string; username: string }>;
  /** Public keys (PEM: SPKI or X.509 certificate) of the connected apps' JWT certificates. */
  jwtPublicKeys: string[];
  /** Accepted `aud` values. */
  audiences: string[];
  /** Username → user id, for the users that may log in. */
  users: (username: string) => string | undefined;
  sessions: FakeSessions;
  now: () => Date;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function importKeys(pems: string[]): KeyObject[] {
  return pems.map((pem) => createPublicKey(pem));
}

function successReply(
  config: TokenEndpointConfig,
  instanceUrl: string,
  clientId: string,
  session: FakeSession,
): SalesforceReply {
  const accessToken = config.sessions.issue(session);
  const id = `${instanceUrl}/id/00DSB0000000001AAA/${session.userId}`;
  const issuedAt = String(config.now().getTime());
  const secret = config.clients[clientId]?.clientSecret ?? '';
  const signature = createHmac('sha256', secret).update(`${id}${issuedAt}`).digest('base64');
  return {
    status: 200,
    body: {
      access_token: accessToken,
      scope: 'api',
      instance_url: instanceUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature,
    },
  };
}

async function verifyAssertion(
  config: TokenEndpointConfig,
  keys: KeyObject[],
  assertion: string,
): Promise<
  { ok: true; clientId: string; username: string } | { ok: false; reply: SalesforceReply }
> {
  let lastError: unknown;
  for (const key of keys) {
    try {
      const { payload } = await jwtVerify(assertion, key, {
        algorithms: ['RS256'],
        audience: config.audiences,
        requiredClaims: ['iss', 'sub', 'aud', 'exp'],
        currentDate: config.now(),
      });
      return { ok: true, clientId: String(payload.iss), username: String(payload.sub) };
    } catch (error) {
      lastError = error;
      // Another configured key may have signed it; only a bad signature is worth retrying.
      if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) break;
    }
  }
  if (lastError instanceof joseErrors.JWTExpired) {
    return { ok: false, reply: oauthError('invalid_grant', 'expired authorization code') };
  }
  if (lastError instanceof joseErrors.JWTClaimValidationFailed && lastError.claim === 'aud') {
    return { ok: false, reply: oauthError('invalid_grant', 'audience is invalid') };
  }
  return { ok: false, reply: oauthError('invalid_grant', 'invalid assertion') };
}

/** Answers one token request (a parsed form body) for a fake served at `instanceUrl`. */
export async function handleTokenRequest(
  config: TokenEndpointConfig,
  instanceUrl: string,
  form: Record<string, unknown>,
): Promise<SalesforceReply> {
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '');
  const grantType = text('grant_type');
  if (grantType === JWT_BEARER) {
    const assertion = text('assertion');
    if (!assertion) return oauthError('invalid_request', 'assertion is required');
    const verified = await verifyAssertion(config, importKeys(config.jwtPublicKeys), assertion);
    if (!verified.ok) return verified.reply;
    if (!config.clients[verified.clientId]) {
      return oauthError('invalid_client_id', 'client identifier invalid');
    }
    const userId = config.users(verified.username);
    if (!userId) return oauthError('invalid_grant', "user hasn't approved this consumer");
    return successReply(config, instanceUrl, verified.clientId, {
      username: verified.username,
      userId,
    });
  }
  if (grantType === 'refresh_token') {
    const clientId = text('client_id');
    const client = config.clients[clientId];
    if (!client) return oauthError('invalid_client_id', 'client identifier invalid');
    const secret = text('client_secret');
    if (secret && secret !== client.clientSecret) {
      return oauthError('invalid_client', 'invalid client credentials');
    }
    const grant = config.refreshTokens[text('refresh_token')];
    const userId = grant && grant.clientId === clientId ? config.users(grant.username) : undefined;
    if (!grant || !userId) return oauthError('invalid_grant', 'expired access/refresh token');
    return successReply(config, instanceUrl, clientId, { username: grant.username, userId });
  }
  return oauthError('unsupported_grant_type', 'grant type not supported');
}
