import { errors as joseErrors, importSPKI, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import type { Result } from '../../../../../shared/src/result';

/**
 * Verifies the token Zendesk posts to a signed app location (`"signedUrls": true`): an RS256
 * JWT signed with the app's private key, which only Zendesk holds. This is the one thing in the
 * sidebar's start that the browser cannot forge, so the agent's identity rests on it alone:
 * - the signature, with the app's public key (`GET /api/v2/apps/{app_id}/public_key.pem`), and
 *   RS256 only: a token that names HS256 and is "signed" with the public key as an HMAC secret
 *   (algorithm confusion) is refused before any key is used;
 * - `iss` is the account (`<subdomain>.zendesk.com`), `aud` one of this server's installations,
 *   so a token Zendesk minted for another account or another installed app does not pass;
 * - `exp`, `nbf` and `iat` with 30 s of clock skew, and at most 10 minutes old (Zendesk's
 *   tokens live about 5);
 * - `sub` names the user: their id, or the API URL of the user on this account.
 */
export interface ZafIdentity {
  userId: number;
  accountHost: string;
  installationId: number;
  appId: number;
  /** `context.location` (e.g. ticket_sidebar), when Zendesk sent it. */
  location: string | null;
}

export type ZafTokenErrorCode = 'ZAF_TOKEN_INVALID' | 'ZAF_KEY_UNAVAILABLE';

export interface ZafTokenError {
  code: ZafTokenErrorCode;
  /** Why, for the server log only: the caller answers the same way whatever went wrong. */
  reason: string;
}

export interface AppKeySource {
  /** The app's public key; `refresh` asks Zendesk again (a rotated key), rate limited. */
  load(options: { refresh: boolean }): Promise<Result<CryptoKey, { message: string }>>;
}

export interface ZafTokenVerifierOptions {
  accountHost: string;
  appId: number;
  installationIds: readonly number[];
  key: AppKeySource;
  now?: () => number;
}

const CLOCK_SKEW_SECONDS = 30;
const MAX_TOKEN_AGE = '10m';

export function installationAudience(accountHost: string, installationId: number): string {
  return `https://${accountHost}/api/v2/apps/installations/${installationId}.json`;
}

function readUserId(sub: unknown, accountHost: string): number | null {
  if (typeof sub !== 'string') return null;
  const escapedHost = accountHost.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match =
    /^(\d{1,16})$/.exec(sub) ??
    new RegExp(`^https://${escapedHost}/api/v2/users/(\\d{1,16})(?:\\.json)?$`).exec(sub);
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function readLocation(payload: JWTPayload): string | null {
  const context = payload.context;
  if (context && typeof context === 'object' && 'location' in context) {
    const location = (context as { location?: unknown }).location;
    return typeof location === 'string' ? location.slice(0, 64) : null;
  }
  return null;
}

export function createZafTokenVerifier(options: ZafTokenVerifierOptions) {
  const audiences = new Map(
    options.installationIds.map((id) => [installationAudience(options.accountHost, id), id]),
  );
  const invalid = (reason: string): Result<never, ZafTokenError> => ({
    ok: false,
    error: { code: 'ZAF_TOKEN_INVALID', reason },
  });

  async function verifyWith(token: string, key: CryptoKey) {
    return jwtVerify(token, key, {
      algorithms: ['RS256'],
      issuer: options.accountHost,
      audience: [...audiences.keys()],
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE,
      requiredClaims: ['exp', 'iat', 'sub'],
      ...(options.now ? { currentDate: new Date(options.now()) } : {}),
    });
  }

  return {
    async verify(token: string): Promise<Result<ZafIdentity, ZafTokenError>> {
      if (token.length > 8192 || token.split('.').length !== 3) return invalid('not a JWT');
      let key = await options.key.load({ refresh: false });
      if (!key.ok)
        return { ok: false, error: { code: 'ZAF_KEY_UNAVAILABLE', reason: key.error.message } };
      let payload: JWTPayload;
      try {
        try {
          ({ payload } = await verifyWith(token, key.value));
        } catch (error) {
          // Zendesk may have rotated the app's key: ask once more, then give up.
          if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) throw error;
          key = await options.key.load({ refresh: true });
          if (!key.ok) throw error;
          ({ payload } = await verifyWith(token, key.value));
        }
      } catch (error) {
        return invalid(
          error instanceof joseErrors.JOSEError
            ? `${error.code}: ${error.message}`
            : 'unreadable token',
        );
      }
      const userId = readUserId(payload.sub, options.accountHost);
      if (userId === null) return invalid('sub does not name a user of this account');
      const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const installationId = audience
        .map((value) => (value === undefined ? undefined : audiences.get(value)))
        .find((id) => id !== undefined);
      if (installationId === undefined) return invalid('aud names no installation of this app');
      return {
        ok: true,
        value: {
          userId,
          accountHost: options.accountHost,
          installationId,
          appId: options.appId,
          location: readLocation(payload),
        },
      };
    },
  };
}

export type ZafTokenVerifier = ReturnType<typeof createZafTokenVerifier>;

/**
 * The app's public key, fetched from Zendesk (or pinned by the admin) and kept. A refresh is
 * allowed once a minute, so a stream of forged tokens cannot make the server hammer Zendesk.
 */
export function createAppKeySource(options: {
  fetchPem: () => Promise<Result<string, { message: string }>>;
  /** A PEM the admin pinned (ZENDESK_APP_PUBLIC_KEY): used as is, never refetched. */
  pinnedPem?: string;
  now?: () => number;
  minRefreshIntervalMs?: number;
}): AppKeySource {
  const now = options.now ?? Date.now;
  const refreshInterval = options.minRefreshIntervalMs ?? 60_000;
  /** After a failed fetch (Zendesk down), the next try waits this long. */
  const retryInterval = Math.min(refreshInterval, 5_000);
  type Loaded = Result<CryptoKey, { message: string }>;
  let state: { promise: Promise<Loaded>; settled?: Loaded; at: number } | undefined;

  const importPem = async (pem: string): Promise<Loaded> => {
    try {
      return { ok: true, value: await importSPKI(pem.trim(), 'RS256') };
    } catch {
      return { ok: false, error: { message: 'the app public key is not an RSA public key (PEM)' } };
    }
  };
  const start = (load: () => Promise<Loaded>): Promise<Loaded> => {
    const entry: NonNullable<typeof state> = { promise: load(), at: now() };
    void entry.promise.then((settled) => {
      entry.settled = settled;
    });
    state = entry;
    return entry.promise;
  };
  const fetchKey = () =>
    options
      .fetchPem()
      .then((pem): Promise<Loaded> | Loaded => (pem.ok ? importPem(pem.value) : pem));

  return {
    load({ refresh }) {
      if (options.pinnedPem !== undefined) {
        const pinned = options.pinnedPem;
        return state?.promise ?? start(() => importPem(pinned));
      }
      if (!state) return start(fetchKey);
      const age = now() - state.at;
      if (state.settled && !state.settled.ok && age >= retryInterval) return start(fetchKey);
      if (refresh && state.settled?.ok && age >= refreshInterval) return start(fetchKey);
      return state.promise;
    },
  };
}
