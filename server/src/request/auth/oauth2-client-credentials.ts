/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4).
 *
 * - The client authenticates with HTTP Basic, id and secret form-encoded first (§2.3.1), never in the body
 *   or URL, where they would land in access logs.
 * - Tokens are cached per connection until `expires_in` minus a safety margin, so a token is not sent in
 *   its last seconds and rejected in flight. Concurrent callers share one in-flight fetch, so a burst of
 *   runs does not stampede the token endpoint.
 * - A 401 from the upstream triggers one refresh, unless another caller already replaced the token.
 * - The token endpoint goes through the same egress guard as connector calls (its host is the only one
 *   allowed); it must be https unless the connection is a local sandbox.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import * as z from 'zod';
import type { AuthConfig, AuthProvider, HostLookup, SendError, SendPolicy } from '../request-types';
import type { Result } from '../../../../shared/src/result';
import { sendRequest } from '../send-request';
import { createStaticAuthProvider } from './static-auth';

type ClientCredentialsConfig = Extract<AuthConfig, { type: 'oauth2ClientCredentials' }>;

const DEFAULT_LIFETIME_S = 300;
const MAX_EXPIRY_MARGIN_MS = 30_000;
const TOKEN_RESPONSE_MAX_BYTES = 64 * 1024;

// Loose on purpose: RFC 6749 §5.1 lets servers add fields (Salesforce adds instance_url, signature...), so
// a strict schema would reject valid responses. Only the fields we use are checked.
const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z
    .union([z.number().nonnegative(), z.string().regex(/^\d+$/).transform(Number)])
    .optional(),
});

const tokenErrorSchema = z.looseObject({ error: z.string().regex(/^[\w.-]{1,64}$/) });

export interface CachedToken {
  key: string;
  accessToken: string;
  expiresAtMs: number;
}

/**
 * Token state for one connection. Hold one per connection id for the life of the process, and pass it to
 * every `createAuthProvider` call for that connection; never share it between connections.
 */
export interface TokenCache {
  current?: CachedToken;
  inflight?: { key: string; promise: Promise<Result<CachedToken, SendError>> };
}

export function createTokenCache(): TokenCache {
  return {};
}

/** How the token endpoint may be reached; its host is allowed implicitly. */
export interface TokenEgress {
  timeoutMs: number;
  allowPrivateNetwork: boolean;
  lookup?: HostLookup;
  dispatcher?: Dispatcher;
}

export function createClientCredentialsProvider(
  config: ClientCredentialsConfig,
  deps: { tokenCache: TokenCache; egress: TokenEgress; now: () => number },
): AuthProvider {
  // Keyed by a hash of the whole configuration, so rotating the secret or changing the scope never reuses
  // a token fetched with the old settings.
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        config.tokenUrl,
        config.clientId,
        config.clientSecret,
        config.scope,
        config.audience,
      ]),
    )
    .digest('hex');
  return createCachedTokenProvider(key, deps, () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (config.scope !== undefined) form.set('scope', config.scope);
    if (config.audience !== undefined) form.set('audience', config.audience);
    const clientAuth = Buffer.from(
      `${formEncodeCredential(config.clientId)}:${formEncodeCredential(config.clientSecret)}`,
      'utf8',
    ).toString('base64');
    return requestToken(
      { tokenUrl: config.tokenUrl, form, clientHeaders: { authorization: `Basic ${clientAuth}` } },
      key,
      deps.egress,
      deps.now,
    );
  });
}

/**
 * The caching, single-flight and refresh-on-401 behaviour shared by every grant that ends in a Bearer
 * access token. `key` identifies the settings the token was fetched with (a hash: never the secrets
 * themselves); `fetchToken` asks the token endpoint for a new one.
 */
export function createCachedTokenProvider(
  key: string,
  deps: { tokenCache: TokenCache; now: () => number },
  fetchToken: () => Promise<Result<CachedToken, SendError>>,
): AuthProvider {
  const { tokenCache: cache, now } = deps;
  let lastIssued: string | undefined;

  const fetchShared = (): Promise<Result<CachedToken, SendError>> => {
    if (cache.inflight?.key === key) return cache.inflight.promise;
    const promise = fetchToken()
      .then((result) => {
        if (result.ok) cache.current = result.value;
        return result;
      })
      .finally(() => {
        if (cache.inflight?.promise === promise) delete cache.inflight;
      });
    cache.inflight = { key, promise };
    return promise;
  };

  const validToken = (): CachedToken | undefined => {
    const current = cache.current;
    return current !== undefined && current.key === key && current.expiresAtMs > now()
      ? current
      : undefined;
  };

  return {
    authHeaderNames: ['authorization'],
    async headers() {
      let token = validToken();
      if (token === undefined) {
        const fetched = await fetchShared();
        if (!fetched.ok) return fetched;
        token = fetched.value;
      }
      lastIssued = token.accessToken;
      return { ok: true, value: { authorization: `Bearer ${token.accessToken}` } };
    },
    async onUnauthorized() {
      const current = validToken();
      // Someone else already replaced the token this request used: use theirs rather than fetch again.
      if (current !== undefined && current.accessToken !== lastIssued) return true;
      if (current !== undefined) delete cache.current;
      const refreshed = await fetchShared();
      return refreshed.ok;
    },
  };
}

/** One token request: the grant's form fields, and how the client authenticates (if by header). */
export interface TokenRequest {
  tokenUrl: string;
  form: URLSearchParams;
  clientHeaders: Record<string, string>;
}

/**
 * Posts a grant to a token endpoint (RFC 6749 §3.2) and reads the access token answer (§5.1) or the
 * error (§5.2). Failures are UPSTREAM_AUTH_FAILED values whose message names the host, the status and
 * the OAuth error code, never a credential.
 */
export async function requestToken(
  request: TokenRequest,
  key: string,
  egress: TokenEgress,
  now: () => number,
): Promise<Result<CachedToken, SendError>> {
  // Asking for a token has no side effect, so a POST retry is safe here.
  const posted = await postTokenForm(request, egress, {
    maxAttempts: 2,
    initialDelayMs: 200,
    maxDelayMs: 1000,
    retryOnStatus: [429, 502, 503, 504],
    retryNonIdempotent: true,
    maxTotalWaitMs: 2000,
  });
  if (!posted.ok) return authFailed(posted.error);
  const { host, status } = posted.value;
  const result = posted.value;
  if (status < 200 || status >= 300) {
    const oauthError = tokenErrorSchema.safeParse(result.json);
    const detail = oauthError.success ? ` (${oauthError.data.error})` : '';
    // No `status` on the error: callers would read it as the connector upstream's status.
    return authFailed(`The token endpoint ${host} answered ${status}${detail}`);
  }
  const parsed = tokenResponseSchema.safeParse(result.json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)');
    return authFailed(
      `The token endpoint ${host} returned an unusable body (check: ${[...new Set(paths)].join(', ')})`,
    );
  }
  const tokenType = parsed.data.token_type;
  if (tokenType !== undefined && tokenType.toLowerCase() !== 'bearer') {
    return authFailed(
      `The token endpoint ${host} issued a ${tokenType} token; only Bearer is supported`,
    );
  }
  const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
  const marginMs = Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 10);
  return {
    ok: true,
    value: {
      key,
      accessToken: parsed.data.access_token,
      expiresAtMs: now() + lifetimeMs - marginMs,
    },
  };
}

/** application/x-www-form-urlencoded, as RFC 6749 Appendix B requires for Basic client credentials. */
export function formEncodeCredential(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * Posts a grant's form to a token endpoint (RFC 6749 §3.2) through the connector egress guard:
 * its host is the only one allowed, https unless the connection is a local one, and no redirects
 * (a redirect would re-post the credentials). The caller reads the answer: grants differ in what
 * a failure means and whether a retry is safe.
 */
export async function postTokenForm(
  request: TokenRequest,
  egress: TokenEgress,
  retry: SendPolicy['retry'],
): Promise<Result<{ host: string; status: number; json: unknown }, string>> {
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(request.tokenUrl);
  } catch {
    return { ok: false, error: 'The token URL is not valid' };
  }
  if (tokenUrl.protocol !== 'https:' && !egress.allowPrivateNetwork) {
    return { ok: false, error: `The token URL for ${tokenUrl.host} must use https` };
  }
  const policy: SendPolicy = {
    timeoutMs: egress.timeoutMs,
    maxResponseBytes: TOKEN_RESPONSE_MAX_BYTES,
    allowedHosts: [tokenUrl.hostname],
    baseOrigin: tokenUrl.origin,
    allowPrivateNetwork: egress.allowPrivateNetwork,
    maxRedirects: 0,
    retry,
  };
  const result = await sendRequest(
    {
      method: 'POST',
      url: tokenUrl.href,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: request.form.toString(),
    },
    policy,
    {
      auth: createStaticAuthProvider(request.clientHeaders),
      ...(egress.lookup === undefined ? {} : { lookup: egress.lookup }),
      ...(egress.dispatcher === undefined ? {} : { dispatcher: egress.dispatcher }),
    },
  );
  const host = tokenUrl.host;
  if (!result.ok) {
    return { ok: false, error: `The token endpoint ${host} failed: ${result.error.message}` };
  }
  return { ok: true, value: { host, status: result.status, json: result.json } };
}

export function authFailed(message: string): Result<never, SendError> {
  return { ok: false, error: { code: 'UPSTREAM_AUTH_FAILED', message } };
}
