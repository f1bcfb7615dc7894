/**
 * The token endpoint of an authorization-code connection (RFC 6749 §4.1.3 and §6): exchanging
 * the console's code, and refreshing.
 *
 * - The client authenticates with HTTP Basic (§2.3.1, form-encoded id and secret) unless the
 *   connection says `client_secret_post`, for the services that accept only that.
 * - The endpoint goes through the connector egress guard (its host is the only one allowed, no
 *   redirects, https unless the connection is a local one), like the client credentials grant.
 * - `invalid_grant` (the refresh token was revoked, expired or already rotated away) is told
 *   apart from every other failure: only it means an admin has to connect again; a timeout or a
 *   500 is tried again on the next run.
 */
import { decodeJwt } from 'jose';
import * as z from 'zod';
import type { Result } from '../../../shared/src/result';
import type { AuthorizationCodeConfig } from '../request/auth/oauth2-authorization-code';
import { formEncodeCredential, postTokenForm } from '../request/auth/oauth2-client-credentials';
import type { TokenEgress } from '../request/auth/oauth2-client-credentials';

// Loose on purpose: RFC 6749 §5.1 lets servers add fields (Google's id_token, Salesforce's
// instance_url); only the fields used here are checked.
const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1).max(16_384),
  token_type: z.string().optional(),
  expires_in: z
    .union([z.number().nonnegative(), z.string().regex(/^\d+$/).transform(Number)])
    .optional(),
  refresh_token: z.string().min(1).max(16_384).optional(),
  scope: z.string().max(10_000).optional(),
  id_token: z.string().max(16_384).optional(),
});

const tokenErrorSchema = z.looseObject({
  error: z.string().regex(/^[\w.-]{1,64}$/),
  error_description: z.string().optional(),
});

/** What a successful grant gave: the tokens, and who consented when the server says. */
export interface GrantedTokens {
  accessToken: string;
  /** Absent when the server issued none (Google without access_type=offline). */
  refreshToken?: string;
  /** Epoch ms; absent when the server gave no `expires_in`. */
  expiresAtMs?: number;
  scope?: string;
  /** An id_token's email or name (OpenID Connect), for "Connected as …". */
  subject?: string;
}

export type TokenEndpointError =
  /** The grant itself was refused: the code or refresh token is no good any more. */
  | { kind: 'grant_refused'; message: string }
  /** Anything else: unreachable, 5xx, an unreadable answer, a misconfigured client. */
  | { kind: 'failed'; message: string };

export type TokenGrant =
  | { grantType: 'authorization_code'; code: string; redirectUri: string; codeVerifier?: string }
  | { grantType: 'refresh_token'; refreshToken: string };

/** An error_description is the server's words: one short printable line at most. */
function describeServerWords(text: string | undefined): string {
  if (!text) return '';
  const line = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return line ? `: ${line.length > 200 ? `${line.slice(0, 199)}…` : line}` : '';
}

function subjectOf(idToken: string | undefined): string | undefined {
  if (idToken === undefined) return undefined;
  try {
    // Shown to the admin only, never trusted for access: the token came straight from the token
    // endpoint over TLS (OpenID Connect Core §3.1.3.7 allows skipping the signature then).
    const claims = decodeJwt(idToken);
    const who = [claims.email, claims.name, claims.sub].find(
      (value): value is string => typeof value === 'string' && value.length > 0,
    );
    return who?.slice(0, 200);
  } catch {
    return undefined;
  }
}

export async function requestTokenGrant(
  config: AuthorizationCodeConfig,
  grant: TokenGrant,
  egress: TokenEgress,
  now: () => number = Date.now,
): Promise<Result<GrantedTokens, TokenEndpointError>> {
  const failed = (message: string): Result<never, TokenEndpointError> => ({
    ok: false,
    error: { kind: 'failed', message },
  });
  const form = new URLSearchParams({ grant_type: grant.grantType });
  if (grant.grantType === 'authorization_code') {
    form.set('code', grant.code);
    form.set('redirect_uri', grant.redirectUri);
    if (grant.codeVerifier !== undefined) form.set('code_verifier', grant.codeVerifier);
  } else {
    form.set('refresh_token', grant.refreshToken);
  }
  const clientHeaders: Record<string, string> = {};
  if (config.tokenEndpointAuth === 'client_secret_post') {
    form.set('client_id', config.clientId);
    form.set('client_secret', config.clientSecret);
  } else {
    const basic = `${formEncodeCredential(config.clientId)}:${formEncodeCredential(config.clientSecret)}`;
    clientHeaders.authorization = `Basic ${Buffer.from(basic, 'utf8').toString('base64')}`;
  }

  // Not retried: a code is single-use, and a rotating refresh token may be spent by a request
  // whose answer was lost; a second try would then read as invalid_grant.
  const posted = await postTokenForm({ tokenUrl: config.tokenUrl, form, clientHeaders }, egress, {
    maxAttempts: 1,
    initialDelayMs: 0,
    maxDelayMs: 0,
    retryOnStatus: [],
    retryNonIdempotent: false,
  });
  if (!posted.ok) return failed(posted.error);
  const { host } = posted.value;
  const result = posted.value;
  if (result.status < 200 || result.status >= 300) {
    const oauthError = tokenErrorSchema.safeParse(result.json);
    if (!oauthError.success) return failed(`The token endpoint ${host} answered ${result.status}`);
    const { error, error_description: description } = oauthError.data;
    const words = `The token endpoint ${host} answered ${result.status} (${error}${describeServerWords(description)})`;
    // invalid_grant is RFC 6749 §5.2's answer for a revoked, expired or reused grant, whatever
    // the status: Google answers it with 400, Atlassian with 403 ("Unknown or invalid refresh
    // token.", its rotating refresh tokens documentation).
    const refused = error === 'invalid_grant';
    return { ok: false, error: { kind: refused ? 'grant_refused' : 'failed', message: words } };
  }
  const parsed = tokenResponseSchema.safeParse(result.json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)');
    return failed(
      `The token endpoint ${host} returned an unusable body (check: ${[...new Set(paths)].join(', ')})`,
    );
  }
  const body = parsed.data;
  if (body.token_type !== undefined && body.token_type.toLowerCase() !== 'bearer') {
    return failed(
      `The token endpoint ${host} issued a ${body.token_type} token; only Bearer is supported`,
    );
  }
  const subject = subjectOf(body.id_token);
  return {
    ok: true,
    value: {
      accessToken: body.access_token,
      ...(body.refresh_token === undefined ? {} : { refreshToken: body.refresh_token }),
      ...(body.expires_in === undefined ? {} : { expiresAtMs: now() + body.expires_in * 1000 }),
      ...(body.scope === undefined ? {} : { scope: body.scope }),
      ...(subject === undefined ? {} : { subject }),
    },
  };
}
