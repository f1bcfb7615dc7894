import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ZendeskReply } from './zendesk-json';

/**
 * Zendesk's expiring OAuth tokens, as developer.zendesk.com documents them ("OAuth Tokens for Grant
 * Types", "Working with OAuth refresh tokens") and the April 2025 announcement describes:
 *
 * - `POST /oauth/tokens` with `grant_type: "refresh_token"`, `refresh_token`, `client_id`,
 *   `client_secret` (JSON or form), and optionally `expires_in` / `refresh_token_expires_in` to
 *   shorten the lifetimes for testing, answers `{access_token, refresh_token, token_type: "bearer",
 *   scope, expires_in, refresh_token_expires_in}`.
 * - A successful refresh deletes the previous access and refresh token: the old refresh token stops
 *   working at once (rotation).
 * - Errors are OAuth 2.0's (RFC 6749 §5.2) with the wording Zendesk's Doorkeeper-based server sends:
 *   400 `invalid_grant` for an unknown, used, expired or revoked refresh token, 401 `invalid_client`
 *   for a wrong client, 400 `unsupported_grant_type`; an expired access token on the API is 401
 *   `{"error":"invalid_token","error_description":"The access token provided is expired, …"}`.
 */
export interface FakeOAuthClient {
  id: string;
  secret: string;
}

export interface FakeZendeskOAuth {
  /** A token pair as the authorization code flow would have issued it (test setup). */
  issueTokens(options?: { expiresIn?: number }): { accessToken: string; refreshToken: string };
  checkAccessToken(token: string): 'valid' | 'expired' | 'unknown';
  /** Every access token issued so far is now past its expiry (as if its lifetime went by). */
  expireAccessTokens(): void;
  /** An admin revoked the grant: every token, access and refresh, stops working. */
  revokeAll(): void;
  handleTokenRequest(body: unknown): ZendeskReply;
  /** Refresh grants answered with a new pair. */
  readonly refreshCount: number;
  /** Lifetime of new access tokens, seconds (Zendesk's default for new clients is 30 minutes). */
  accessTokenTtlSeconds: number;
}

interface Grant {
  accessToken: string;
  refreshToken: string;
  accessExpiresAtMs: number;
  refreshExpiresAtMs: number;
}

const REFRESH_TTL_S = 30 * 24 * 3600;

export const zendeskOAuthErrors = {
  invalidToken: (): ZendeskReply => ({
    status: 401,
    body: {
      error: 'invalid_token',
      error_description:
        'The access token provided is expired, revoked, malformed or invalid for other reasons.',
    },
  }),
  invalidGrant: (): ZendeskReply => ({
    status: 400,
    body: {
      error: 'invalid_grant',
      error_description:
        'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    },
  }),
  invalidClient: (): ZendeskReply => ({
    status: 401,
    body: {
      error: 'invalid_client',
      error_description:
        'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
    },
  }),
  unsupportedGrantType: (): ZendeskReply => ({
    status: 400,
    body: {
      error: 'unsupported_grant_type',
      error_description:
        'The authorization grant type is not supported by the authorization server.',
    },
  }),
};

function equalSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function createFakeZendeskOAuth(options: {
  clients: FakeOAuthClient[];
  now: () => Date;
  accessTokenTtlSeconds?: number;
}): FakeZendeskOAuth {
  const grants: Grant[] = [];
  let refreshCount = 0;
  const nowMs = () => options.now().getTime();

  const issue = (expiresIn: number, refreshExpiresIn: number): Grant => {
    const grant: Grant = {
      accessToken: newToken(),
      refreshToken: newToken(),
      accessExpiresAtMs: nowMs() + expiresIn * 1000,
      refreshExpiresAtMs: nowMs() + refreshExpiresIn * 1000,
    };
    grants.push(grant);
    return grant;
  };

  const oauth: FakeZendeskOAuth = {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
    get refreshCount() {
      return refreshCount;
    },
    issueTokens(issueOptions = {}) {
      const grant = issue(issueOptions.expiresIn ?? oauth.accessTokenTtlSeconds, REFRESH_TTL_S);
      return { accessToken: grant.accessToken, refreshToken: grant.refreshToken };
    },
    checkAccessToken(token) {
      const grant = grants.find((g) => equalSecret(token, g.accessToken));
      if (!grant) return 'unknown';
      return grant.accessExpiresAtMs > nowMs() ? 'valid' : 'expired';
    },
    expireAccessTokens() {
      for (const grant of grants) grant.accessExpiresAtMs = 0;
    },
    revokeAll() {
      grants.splice(0, grants.length);
    },
    handleTokenRequest(body) {
      const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<
        string,
        unknown
      >;
      if (fields.grant_type !== 'refresh_token') return zendeskOAuthErrors.unsupportedGrantType();
      const client = options.clients.find((c) => equalSecret(fields.client_id, c.id));
      if (!client || !equalSecret(fields.client_secret, client.secret)) {
        return zendeskOAuthErrors.invalidClient();
      }
      const index = grants.findIndex((g) => equalSecret(fields.refresh_token, g.refreshToken));
      const old = grants[index];
      if (!old || old.refreshExpiresAtMs <= nowMs()) return zendeskOAuthErrors.invalidGrant();
      // The previous pair is deleted: rotation makes the old refresh token worthless.
      grants.splice(index, 1);
      const expiresIn = Number(fields.expires_in) || oauth.accessTokenTtlSeconds;
      const refreshExpiresIn = Number(fields.refresh_token_expires_in) || REFRESH_TTL_S;
      const grant = issue(expiresIn, refreshExpiresIn);
      refreshCount += 1;
      return {
        status: 200,
        body: {
          access_token: grant.accessToken,
          refresh_token: grant.refreshToken,
          token_type: 'bearer',
          scope: 'read write',
          expires_in: expiresIn,
          refresh_token_expires_in: refreshExpiresIn,
        },
      };
    },
  };
  return oauth;
}
