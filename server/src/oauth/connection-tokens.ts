import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Result } from '../../../shared/src/result';
import type { Logger } from '../logging/logger';
import type {
  ConnectionTokenSource,
  TokenRequest,
} from '../request/auth/oauth2-authorization-code';
import type { SendError } from '../request/request-types';
import type { OAuthTokenStore, StoredConnectionTokens } from './oauth-token-store';
import { connectionBinding } from '../secrets/token-cipher';
import type { TokenCipher } from '../secrets/token-cipher';
import { requestTokenGrant } from './token-endpoint';

/**
 * The tokens of `oauth2AuthorizationCode` connections, between the encrypted store and the runs.
 *
 * - An access token within `skewMs` of its expiry is refreshed before use, so it is not rejected
 *   in flight. One refresh per connection at a time (single flight): a burst of runs shares it,
 *   and a rotating refresh token is never spent twice by this process.
 * - A rotated refresh token is stored at once (compare-and-set on the sealed value); a server that
 *   issues none keeps the old one (RFC 6749 §6).
 * - A refused refresh (invalid_grant) marks the connection "needs reconnect": every run fails
 *   with CONNECTION_NEEDS_RECONNECT without calling anyone, and `onEvent` announces it once.
 *   Connecting again clears it and announces the recovery.
 * - Every token read or issued is handed to `onSecret` (the redactor's runtime secrets) before
 *   it is used, so no log line, answer or run record can carry it.
 */

export const DEFAULT_REFRESH_SKEW_MS = 60_000;

const sealedTokensSchema = z.strictObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAtMs: z.number().optional(),
  scope: z.string().optional(),
});
type SealedTokens = z.infer<typeof sealedTokensSchema>;

export type ConnectionState = 'not_connected' | 'connected' | 'needs_reconnect';

/** What the console shows of a connection; never a token. */
export interface ConnectionStatus {
  state: ConnectionState;
  /** Why it is not connected or needs reconnecting, in words. */
  reason?: string;
  connectedAt?: string;
  connectedBy?: string;
  connectedAs?: string;
  /** While it needs reconnecting: since when. */
  since?: string;
}

export type ConnectionEvent =
  | { kind: 'needs_reconnect'; connectionId: string; reason: string; at: string }
  | { kind: 'reconnected'; connectionId: string; since: string; reason: string; at: string };

export interface ConnectError {
  code: 'OAUTH_EXCHANGE_FAILED' | 'TOKEN_ENCRYPTION_KEY_MISSING';
  message: string;
}

export interface ConnectionTokens extends ConnectionTokenSource {
  /** False on a live server without TOKEN_ENCRYPTION_KEY: nothing can be connected. */
  readonly available: boolean;
  status(request: Pick<TokenRequest, 'connectionId' | 'config'>): Promise<ConnectionStatus>;
  /** The console's callback: exchanges the code and stores the tokens. */
  connect(
    request: TokenRequest,
    grant: { code: string; redirectUri: string; codeVerifier: string | undefined; user: string },
  ): Promise<Result<ConnectionStatus, ConnectError>>;
}

export interface ConnectionTokensOptions {
  store: OAuthTokenStore;
  /** Undefined when no key is set (live mode without TOKEN_ENCRYPTION_KEY). */
  cipher: TokenCipher | undefined;
  logger: Logger;
  onSecret: (value: string) => void;
  onEvent: (event: ConnectionEvent) => void;
  now?: () => number;
  skewMs?: number;
}

/** Tokens are the client's they were issued to: another token URL or client id is a new client. */
export function clientKeyOf(config: TokenRequest['config']): string {
  return createHash('sha256')
    .update(JSON.stringify([config.tokenUrl, config.clientId]))
    .digest('base64url')
    .slice(0, 22);
}

const CONSOLE_HINT = 'an admin connects it in the admin console (Connectors, Connections)';

export function createConnectionTokens(options: ConnectionTokensOptions): ConnectionTokens {
  const { store, cipher, logger } = options;
  const now = options.now ?? Date.now;
  const skewMs = options.skewMs ?? DEFAULT_REFRESH_SKEW_MS;
  const inflight = new Map<string, Promise<Result<string, SendError>>>();
  const iso = () => new Date(now()).toISOString();

  const fail = (code: SendError['code'], message: string): Result<never, SendError> => ({
    ok: false,
    error: { code, message },
  });
  const remember = (tokens: SealedTokens) => {
    options.onSecret(tokens.accessToken);
    if (tokens.refreshToken !== undefined) options.onSecret(tokens.refreshToken);
  };
  const isFresh = (tokens: SealedTokens) =>
    tokens.expiresAtMs === undefined || tokens.expiresAtMs - skewMs > now();

  type Loaded = { row: StoredConnectionTokens; tokens: SealedTokens };
  const load = async (request: TokenRequest): Promise<Result<Loaded, SendError>> => {
    const id = request.connectionId;
    if (!cipher) {
      return fail(
        'CONNECTION_NOT_CONNECTED',
        `Connection "${id}" cannot be connected: this server has no TOKEN_ENCRYPTION_KEY`,
      );
    }
    const row = await store.get(id);
    if (!row)
      return fail(
        'CONNECTION_NOT_CONNECTED',
        `Connection "${id}" is not connected: ${CONSOLE_HINT}`,
      );
    if (row.clientKey !== clientKeyOf(request.config)) {
      return fail(
        'CONNECTION_NOT_CONNECTED',
        `Connection "${id}" is not connected: its token URL or client id changed since it was connected; ${CONSOLE_HINT}`,
      );
    }
    if (row.state === 'needs_reconnect') {
      return fail(
        'CONNECTION_NEEDS_RECONNECT',
        `Connection "${id}" needs reconnecting: ${row.reconnect?.reason ?? 'its refresh token was refused'}; an admin reconnects it in the admin console`,
      );
    }
    const opened = cipher.open(row.sealed, connectionBinding(id));
    const parsed = opened.ok ? parseTokens(opened.value) : undefined;
    if (!parsed) {
      logger.error('stored OAuth tokens cannot be read', {
        connectionId: id,
        reason: opened.ok ? 'not the expected JSON' : opened.error.message,
      });
      return fail(
        'CONNECTION_NEEDS_RECONNECT',
        `Connection "${id}" needs reconnecting: its stored tokens cannot be decrypted (was TOKEN_ENCRYPTION_KEY changed?)`,
      );
    }
    remember(parsed);
    if (cipher.isStale(row.sealed)) {
      // Written again with the current key, so the previous key can be retired (docs/security.md).
      const sealed = cipher.seal(JSON.stringify(parsed), connectionBinding(id));
      if (await store.updateTokens(id, row.sealed, sealed, row.updatedAt)) {
        return { ok: true, value: { row: { ...row, sealed }, tokens: parsed } };
      }
    }
    return { ok: true, value: { row, tokens: parsed } };
  };

  const markNeedsReconnect = async (
    row: StoredConnectionTokens,
    reason: string,
  ): Promise<Result<never, SendError>> => {
    const at = iso();
    const changed = await store.markNeedsReconnect(row.connectionId, row.sealed, {
      since: at,
      reason,
    });
    if (changed) {
      logger.warn('OAuth connection needs reconnecting', {
        connectionId: row.connectionId,
        reason,
      });
      options.onEvent({ kind: 'needs_reconnect', connectionId: row.connectionId, reason, at });
    }
    return fail(
      'CONNECTION_NEEDS_RECONNECT',
      `Connection "${row.connectionId}" needs reconnecting: ${reason}; an admin reconnects it in the admin console`,
    );
  };

  const refreshNow = async (
    request: TokenRequest,
    rejected: string | undefined,
  ): Promise<Result<string, SendError>> => {
    // Read again inside the flight: the row may have changed while this call waited its turn.
    const loaded = await load(request);
    if (!loaded.ok) return loaded;
    const { row, tokens } = loaded.value;
    // Refreshed meanwhile (a reconnect, or another instance): spending the refresh token again
    // would only rotate it for nothing.
    if (isFresh(tokens) && tokens.accessToken !== rejected) {
      return { ok: true, value: tokens.accessToken };
    }
    if (tokens.refreshToken === undefined) {
      return markNeedsReconnect(
        row,
        'the access token expired and the authorization server issued no refresh token (Google: set authorizeParams access_type=offline and prompt=consent)',
      );
    }
    const granted = await requestTokenGrant(
      request.config,
      { grantType: 'refresh_token', refreshToken: tokens.refreshToken },
      request.egress,
      now,
    );
    if (!granted.ok) {
      if (granted.error.kind === 'grant_refused') {
        return markNeedsReconnect(row, `the refresh was refused: ${granted.error.message}`);
      }
      return fail('UPSTREAM_AUTH_FAILED', granted.error.message);
    }
    const next: SealedTokens = {
      accessToken: granted.value.accessToken,
      // RFC 6749 §6: a server that rotates sends a new one; one that does not keeps the old valid.
      ...((granted.value.refreshToken ?? tokens.refreshToken)
        ? { refreshToken: granted.value.refreshToken ?? tokens.refreshToken }
        : {}),
      ...(granted.value.expiresAtMs === undefined
        ? {}
        : { expiresAtMs: granted.value.expiresAtMs }),
      ...((granted.value.scope ?? tokens.scope)
        ? { scope: granted.value.scope ?? tokens.scope }
        : {}),
    };
    remember(next);
    const sealed = cipher!.seal(JSON.stringify(next), connectionBinding(row.connectionId));
    const stored = await store.updateTokens(row.connectionId, row.sealed, sealed, iso());
    if (!stored) {
      // Reconnected meanwhile: the new row wins; this access token still works for this request.
      logger.warn('refreshed OAuth tokens not stored: the connection changed meanwhile', {
        connectionId: row.connectionId,
      });
    }
    logger.info('OAuth connection refreshed', {
      connectionId: row.connectionId,
      rotated: granted.value.refreshToken !== undefined,
    });
    return { ok: true, value: next.accessToken };
  };

  const refreshShared = (
    request: TokenRequest,
    rejected: string | undefined,
  ): Promise<Result<string, SendError>> => {
    const running = inflight.get(request.connectionId);
    if (running) return running;
    const promise = refreshNow(request, rejected).finally(() =>
      inflight.delete(request.connectionId),
    );
    inflight.set(request.connectionId, promise);
    return promise;
  };

  return {
    available: cipher !== undefined,

    async accessToken(request) {
      const loaded = await load(request);
      if (!loaded.ok) return loaded;
      if (isFresh(loaded.value.tokens)) return { ok: true, value: loaded.value.tokens.accessToken };
      return refreshShared(request, undefined);
    },

    async refresh(request, rejected) {
      const running = inflight.get(request.connectionId);
      if (running) return running;
      // The token this request was refused with is never handed out again; another one that is
      // still fresh (another request already refreshed) is.
      return refreshShared(request, rejected ?? '');
    },

    async status({ connectionId, config }) {
      if (!cipher) {
        return {
          state: 'not_connected',
          reason: 'Set TOKEN_ENCRYPTION_KEY on the server to connect it (docs/deploy.md).',
        };
      }
      const row = await store.get(connectionId);
      if (!row) return { state: 'not_connected' };
      const who = {
        connectedAt: row.connectedAt,
        connectedBy: row.connectedBy,
        ...(row.connectedAs === undefined ? {} : { connectedAs: row.connectedAs }),
      };
      if (row.clientKey !== clientKeyOf(config)) {
        return {
          state: 'not_connected',
          reason: 'Its token URL or client id changed since it was connected.',
          ...who,
        };
      }
      if (row.state === 'needs_reconnect') {
        return {
          state: 'needs_reconnect',
          ...(row.reconnect ? { reason: row.reconnect.reason, since: row.reconnect.since } : {}),
          ...who,
        };
      }
      return { state: 'connected', ...who };
    },

    async connect(request, grant) {
      if (!cipher) {
        return {
          ok: false,
          error: {
            code: 'TOKEN_ENCRYPTION_KEY_MISSING',
            message:
              'Set TOKEN_ENCRYPTION_KEY on the server to store OAuth tokens (docs/deploy.md).',
          },
        };
      }
      const granted = await requestTokenGrant(
        request.config,
        {
          grantType: 'authorization_code',
          code: grant.code,
          redirectUri: grant.redirectUri,
          ...(grant.codeVerifier === undefined ? {} : { codeVerifier: grant.codeVerifier }),
        },
        request.egress,
        now,
      );
      if (!granted.ok) {
        return {
          ok: false,
          error: { code: 'OAUTH_EXCHANGE_FAILED', message: granted.error.message },
        };
      }
      const tokens: SealedTokens = {
        accessToken: granted.value.accessToken,
        ...(granted.value.refreshToken === undefined
          ? {}
          : { refreshToken: granted.value.refreshToken }),
        ...(granted.value.expiresAtMs === undefined
          ? {}
          : { expiresAtMs: granted.value.expiresAtMs }),
        ...(granted.value.scope === undefined ? {} : { scope: granted.value.scope }),
      };
      remember(tokens);
      const at = iso();
      const before = await store.get(request.connectionId);
      const { previous } = await store.connect({
        connectionId: request.connectionId,
        clientKey: clientKeyOf(request.config),
        state: 'connected',
        sealed: cipher.seal(JSON.stringify(tokens), connectionBinding(request.connectionId)),
        connectedAt: at,
        connectedBy: grant.user,
        connectedAs: granted.value.subject,
        updatedAt: at,
      });
      logger.info('OAuth connection connected', {
        connectionId: request.connectionId,
        by: grant.user,
        refreshToken: tokens.refreshToken !== undefined,
      });
      if (previous === 'needs_reconnect') {
        options.onEvent({
          kind: 'reconnected',
          connectionId: request.connectionId,
          since: before?.reconnect?.since ?? at,
          reason: before?.reconnect?.reason ?? 'its refresh token was refused',
          at,
        });
      }
      return {
        ok: true,
        value: {
          state: 'connected',
          connectedAt: at,
          connectedBy: grant.user,
          ...(granted.value.subject === undefined ? {} : { connectedAs: granted.value.subject }),
        },
      };
    },
  };
}

function parseTokens(text: string): SealedTokens | undefined {
  try {
    const parsed = sealedTokensSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
