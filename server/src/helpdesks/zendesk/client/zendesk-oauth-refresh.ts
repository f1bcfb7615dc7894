/**
 * The server's own Zendesk OAuth connection with expiring tokens (Zendesk's refresh token grant,
 * announced April 2025): `POST /oauth/tokens` with `grant_type: "refresh_token"` returns a new
 * access token *and a new refresh token*, and deletes the old pair.
 *
 * What this guards against:
 * - Losing the rotated refresh token. The new one is written (encrypted) before the new access
 *   token is used, so a crash or restart right after a refresh does not leave the server holding a
 *   refresh token Zendesk has already deleted.
 * - Two refreshes racing. The second would present a refresh token the first just rotated away and
 *   be refused (`invalid_grant`), which looks exactly like a revoked grant. One refresh is in flight
 *   at a time and everyone waits for it.
 * - A crash loop when the grant is revoked. `invalid_grant` / `invalid_client` put the connection
 *   in a failed state that /health shows and the log names once; calls then fail at once as
 *   ZENDESK_UNAUTHORIZED without asking Zendesk again, until an admin sets a new refresh token.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { zendeskAgent } from './zendesk-http';
import * as z from 'zod';
import type { Result } from '../../../../../shared/src/result';
import type { ZendeskError } from './zendesk-errors';

/** Supplies the Authorization header of each attempt; `onUnauthorized` after Zendesk said 401. */
export interface ZendeskAuthSource {
  authorization(): Promise<Result<string, ZendeskError>>;
  /** True when a new attempt may succeed (the token was refreshed, here or by another caller). */
  onUnauthorized(rejectedAuthorization: string): Promise<boolean>;
}

export type ZendeskOAuthState =
  | { ok: true }
  | {
      ok: false;
      code: 'ZENDESK_OAUTH_REVOKED' | 'ZENDESK_OAUTH_CLIENT_REJECTED';
      message: string;
      since: string;
    };

/** What is kept across restarts (encrypted by the store). */
export interface StoredZendeskTokens {
  /** sha256 of the refresh token from the environment this chain started from. */
  seed: string;
  refreshToken: string;
  accessToken?: string;
  accessExpiresAtMs?: number;
}

type StoreAnswer<T> = Result<T, { message: string }>;

/** What a refresh hands back to `refreshExclusively`: the tokens to store, if any, and its result. */
export interface ExclusiveRefresh<T> {
  store?: StoredZendeskTokens;
  value: T;
}

/**
 * Where the rotated tokens are kept: a sealed file for one instance, PostgreSQL for several
 * (postgres-zendesk-token-store.ts). Either may answer at once or later.
 */
export interface ZendeskTokenStore {
  load():
    | StoreAnswer<StoredZendeskTokens | undefined>
    | Promise<StoreAnswer<StoredZendeskTokens | undefined>>;
  save(tokens: StoredZendeskTokens): StoreAnswer<void> | Promise<StoreAnswer<void>>;
  /**
   * For a store several instances share: runs `refresh` while no other instance refreshes, with
   * the tokens stored as it starts, and stores what it hands back before the next may start.
   * Without it (one instance) the refresher's own one-refresh-at-a-time is enough.
   */
  refreshExclusively?<T>(
    refresh: (stored: StoredZendeskTokens | undefined) => Promise<ExclusiveRefresh<T>>,
  ): Promise<StoreAnswer<T>>;
}

export interface ZendeskOAuthRefresherOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** From ZENDESK_OAUTH_REFRESH_TOKEN; a stored rotated token of the same chain wins over it. */
  refreshToken: string;
  /** From ZENDESK_OAUTH_TOKEN, if set: used until its first 401 (its expiry is unknown). */
  accessToken?: string;
  store: ZendeskTokenStore;
  now?: () => number;
  timeoutMs?: number;
  log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** Every token learnt at run time, so the redactor can mask it. */
  onCredential?: (value: string) => void;
}

export interface ZendeskOAuthRefresher extends ZendeskAuthSource {
  state(): ZendeskOAuthState;
}

const MAX_EXPIRY_MARGIN_MS = 60_000;

// Loose: Zendesk adds scope and refresh_token_expires_in; only what is used is checked.
const refreshAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
});
const oauthErrorSchema = z.looseObject({ error: z.string().regex(/^[\w.-]{1,64}$/) });

export function hashRefreshToken(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex');
}

export function createZendeskOAuthRefresher(
  options: ZendeskOAuthRefresherOptions,
): ZendeskOAuthRefresher {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const tokenUrl = `${options.baseUrl.replace(/\/+$/, '')}/oauth/tokens`;
  const seed = hashRefreshToken(options.refreshToken);

  let tokens: StoredZendeskTokens = {
    seed,
    refreshToken: options.refreshToken,
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
  };
  const useLoaded = (loaded: StoreAnswer<StoredZendeskTokens | undefined>) => {
    if (!loaded.ok) {
      log('warn', 'the stored Zendesk OAuth tokens cannot be read; starting from the environment', {
        reason: loaded.error.message,
      });
    } else if (loaded.value?.seed === seed) {
      // The environment still names the chain's first token, which Zendesk deleted at the first
      // refresh: the stored, rotated one is the live one.
      tokens = loaded.value;
    } else if (loaded.value) {
      log('info', 'ZENDESK_OAUTH_REFRESH_TOKEN changed: using it instead of the stored one');
    }
    for (const value of [tokens.refreshToken, tokens.accessToken, options.clientSecret]) {
      if (value) options.onCredential?.(value);
    }
  };
  const loading = options.store.load();
  // A store on a database answers later: every call waits for it first.
  const ready: Promise<void> | undefined =
    loading instanceof Promise
      ? loading.then(useLoaded, (error: unknown) =>
          useLoaded({ ok: false, error: { message: String(error) } }),
        )
      : (useLoaded(loading), undefined);

  let state: ZendeskOAuthState = { ok: true };
  let inflight: Promise<Result<void, ZendeskError>> | undefined;

  const header = () => `Bearer ${tokens.accessToken ?? ''}`;
  const fresh = () =>
    tokens.accessToken !== undefined &&
    (tokens.accessExpiresAtMs === undefined || tokens.accessExpiresAtMs > now());

  const failed = (message: string): Result<never, ZendeskError> => ({
    ok: false,
    error: {
      code: 'ZENDESK_UNAUTHORIZED',
      message,
      details: { oauth: state.ok ? undefined : state.code },
      attempts: 0,
    },
  });

  /** Presents the refresh token to Zendesk: the rotated pair, or why not. */
  async function requestRotation(
    refreshToken: string,
  ): Promise<Result<StoredZendeskTokens, ZendeskError>> {
    let status: number;
    let text: string;
    try {
      const response = await request(tokenUrl, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': 'data-connectors',
        },
        // The credentials go in the body, as Zendesk documents: never in the URL (access logs).
        body: JSON.stringify({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: options.clientId,
          client_secret: options.clientSecret,
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        dispatcher: zendeskAgent(),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      const message =
        name === 'TimeoutError' || name === 'AbortError'
          ? 'Zendesk did not answer the token refresh in time'
          : 'Could not reach Zendesk to refresh the OAuth token';
      return { ok: false, error: { code: 'ZENDESK_UNAVAILABLE', message, attempts: 1 } };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status < 200 || status >= 300) {
      const oauthError = oauthErrorSchema.safeParse(json);
      const code = oauthError.success ? oauthError.data.error : undefined;
      if (code === 'invalid_grant' || code === 'invalid_client') {
        const revoked = code === 'invalid_grant';
        state = {
          ok: false,
          code: revoked ? 'ZENDESK_OAUTH_REVOKED' : 'ZENDESK_OAUTH_CLIENT_REJECTED',
          message: revoked
            ? 'Zendesk refused the OAuth refresh token (invalid_grant: revoked, expired or already used). Set a new ZENDESK_OAUTH_REFRESH_TOKEN and restart.'
            : 'Zendesk refused the OAuth client (invalid_client). Check ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET and restart.',
          since: new Date(now()).toISOString(),
        };
        log('error', 'the Zendesk connection has failed: no more requests are sent to Zendesk', {
          code: state.code,
          reason: state.message,
        });
        return failed(state.message);
      }
      return {
        ok: false,
        error: {
          code: status >= 500 || status === 429 ? 'ZENDESK_UNAVAILABLE' : 'ZENDESK_UNAUTHORIZED',
          status,
          message: `Zendesk answered the OAuth token refresh with HTTP ${status}${code ? ` (${code})` : ''}`,
          attempts: 1,
        },
      };
    }
    const parsed = refreshAnswerSchema.safeParse(json);
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'ZENDESK_BAD_RESPONSE',
          status,
          message:
            'Zendesk answered the OAuth token refresh without access_token and refresh_token',
          attempts: 1,
        },
      };
    }
    const lifetimeMs = (parsed.data.expires_in ?? 0) * 1000;
    const next: StoredZendeskTokens = {
      seed,
      refreshToken: parsed.data.refresh_token,
      accessToken: parsed.data.access_token,
      ...(lifetimeMs > 0
        ? {
            accessExpiresAtMs: now() + lifetimeMs - Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 10),
          }
        : {}),
    };
    options.onCredential?.(next.refreshToken);
    options.onCredential?.(next.accessToken as string);
    log('info', 'refreshed the Zendesk OAuth access token', {
      expiresInSeconds: parsed.data.expires_in ?? null,
    });
    return { ok: true, value: next };
  }

  const storeFailed = (message: string) =>
    log('error', 'the rotated Zendesk refresh token could not be stored: a restart will fail', {
      reason: message,
    });

  async function refresh(): Promise<Result<void, ZendeskError>> {
    if (!state.ok) return failed(state.message);
    const exclusively = options.store.refreshExclusively?.bind(options.store);
    if (!exclusively) {
      const rotated = await requestRotation(tokens.refreshToken);
      if (!rotated.ok) return rotated;
      // Persist first: Zendesk has already deleted the old refresh token.
      const saved = await options.store.save(rotated.value);
      if (!saved.ok) storeFailed(saved.error.message);
      tokens = rotated.value;
      return { ok: true, value: undefined };
    }
    // Several instances: only one presents the refresh token at a time, and one that finds the
    // stored token rotated by another since it read it takes that one instead of presenting its
    // own, which Zendesk has deleted (and would answer with invalid_grant, a revoked grant).
    let rotatedHere = false;
    const outcome = await exclusively(
      async (stored): Promise<ExclusiveRefresh<Result<void, ZendeskError>>> => {
        if (stored?.seed === seed && stored.refreshToken !== tokens.refreshToken) {
          const rejected = tokens.accessToken;
          tokens = stored;
          for (const value of [stored.refreshToken, stored.accessToken]) {
            if (value) options.onCredential?.(value);
          }
          if (fresh() && tokens.accessToken !== rejected)
            return { value: { ok: true, value: undefined } };
        }
        const rotated = await requestRotation(tokens.refreshToken);
        if (!rotated.ok) return { value: rotated };
        tokens = rotated.value;
        rotatedHere = true;
        return { store: rotated.value, value: { ok: true, value: undefined } };
      },
    );
    if (outcome.ok) return outcome.value;
    // Rotated, but not stored: this instance goes on with the new pair, the others will not.
    if (rotatedHere) {
      storeFailed(outcome.error.message);
      return { ok: true, value: undefined };
    }
    return {
      ok: false,
      error: {
        code: 'ZENDESK_UNAVAILABLE',
        message: `Could not refresh the Zendesk OAuth token: the instances' shared token store failed (${outcome.error.message})`,
        attempts: 0,
      },
    };
  }

  const refreshShared = (): Promise<Result<void, ZendeskError>> => {
    inflight ??= refresh().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return {
    state: () => state,
    async authorization() {
      await ready;
      if (!state.ok) return failed(state.message);
      if (!fresh()) {
        const refreshed = await refreshShared();
        if (!refreshed.ok) return refreshed;
      }
      return { ok: true, value: header() };
    },
    async onUnauthorized(rejected) {
      await ready;
      if (!state.ok) return false;
      // Another caller already replaced the token this request used.
      if (fresh() && header() !== rejected) return true;
      if (inflight) return (await inflight).ok;
      tokens = { ...tokens, accessExpiresAtMs: 0 };
      return (await refreshShared()).ok;
    },
  };
}
