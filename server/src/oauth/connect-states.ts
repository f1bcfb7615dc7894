import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Result } from '../../../shared/src/result';
import { sameSecret } from '../http/authenticate';

/**
 * The `state` of a console connect flow (RFC 6749 §10.12, RFC 9700 §4.7): what ties the
 * authorization server's redirect back to the admin who started it.
 *
 * - Signed (HMAC with a per-process key), so a forged or altered state is refused before any
 *   lookup; single-use (taken out of the table when the callback reads it); short-lived (10 min).
 * - Bound to the console session that started it. The callback is a cross-site navigation, on
 *   which the SameSite=Strict session cookie is not sent, so the start also sets a SameSite=Lax
 *   binding cookie derived from the session; the callback must bring it back. An attacker who
 *   gets an admin's browser to open a callback URL with the attacker's own code and state fails
 *   this check, and so cannot attach the attacker's account to the admin's connection.
 * - It carries the PKCE verifier (RFC 7636), which never leaves the server until the exchange.
 *
 * Pending states live in this process's memory, or, with several instances on one database
 * (postgres-connect-states.ts), in PostgreSQL with a signing key they share, so the callback may
 * land on any instance.
 */

export const CONNECT_STATE_SECONDS = 10 * 60;
/** More pending flows than any console uses; past it the oldest is dropped. */
export const MAX_PENDING_CONNECTS = 1000;

export interface PendingConnect {
  connectionId: string;
  /** The console session that started it, and who that is. */
  sessionId: string;
  user: string;
  /** PKCE code_verifier (RFC 7636 §4.1), when the connection uses PKCE. */
  codeVerifier: string | undefined;
  /** The redirect_uri sent with the authorize request: the exchange must repeat it (§4.1.3). */
  redirectUri: string;
  expiresAt: number;
}

export type ConnectStateError = {
  code: 'OAUTH_STATE_INVALID' | 'OAUTH_STATE_EXPIRED' | 'OAUTH_STATE_WRONG_SESSION';
  message: string;
};

export interface ConnectStates {
  /** A new state for `pending`; `binding` goes into the browser's Lax cookie. */
  issue(pending: Omit<PendingConnect, 'expiresAt'>): Promise<{ state: string; binding: string }>;
  /** The pending flow of `state`, once; `binding` is the cookie the callback brought. */
  take(
    state: string,
    binding: string | undefined,
  ): Promise<Result<PendingConnect, ConnectStateError>>;
}

/** Where pending flows wait for their callback, by the state's nonce. */
export interface PendingConnectTable {
  /** Keeps `entry`; forgets expired ones, and the oldest past `MAX_PENDING_CONNECTS`. */
  put(nonce: string, entry: PendingConnect, nowMs: number): Promise<void>;
  /** Takes the entry out (single use): undefined when there is none. */
  take(nonce: string): Promise<PendingConnect | undefined>;
}

/** This process's memory: one instance. */
function createMemoryTable(): PendingConnectTable {
  const pending = new Map<string, PendingConnect>();
  return {
    put: async (nonce, entry, nowMs) => {
      for (const [old, kept] of pending) if (kept.expiresAt <= nowMs) pending.delete(old);
      if (pending.size >= MAX_PENDING_CONNECTS) {
        const oldest = pending.keys().next();
        if (!oldest.done) pending.delete(oldest.value);
      }
      pending.set(nonce, entry);
    },
    take: async (nonce) => {
      const entry = pending.get(nonce);
      pending.delete(nonce);
      return entry;
    },
  };
}

export function createConnectStates(
  options: { now?: () => number; key?: Buffer; table?: PendingConnectTable } = {},
): ConnectStates {
  const now = options.now ?? Date.now;
  const key = options.key ?? randomBytes(32);
  const pending = options.table ?? createMemoryTable();

  const sign = (nonce: string) =>
    createHmac('sha256', key).update(`oauth-state:${nonce}`).digest('base64url');
  const bindingOf = (sessionId: string) =>
    createHmac('sha256', key).update(`oauth-binding:${sessionId}`).digest('base64url');

  return {
    async issue(entry) {
      const nonce = randomBytes(24).toString('base64url');
      const nowMs = now();
      await pending.put(
        nonce,
        { ...entry, expiresAt: nowMs + CONNECT_STATE_SECONDS * 1000 },
        nowMs,
      );
      return { state: `${nonce}.${sign(nonce)}`, binding: bindingOf(entry.sessionId) };
    },
    async take(state, binding) {
      const invalid = (message: string): Result<never, ConnectStateError> => ({
        ok: false,
        error: { code: 'OAUTH_STATE_INVALID', message },
      });
      const [nonce, signature, ...rest] = state.split('.');
      if (!nonce || !signature || rest.length > 0 || !sameSecret(signature, sign(nonce))) {
        return invalid('The sign-in answer does not carry a state this server issued.');
      }
      // Single use: whatever happens next, this state is spent.
      const entry = await pending.take(nonce);
      if (!entry) {
        return invalid('This sign-in answer was already used, or the server restarted since.');
      }
      if (entry.expiresAt <= now()) {
        return {
          ok: false,
          error: {
            code: 'OAUTH_STATE_EXPIRED',
            message: `The connect flow took longer than ${CONNECT_STATE_SECONDS / 60} minutes; start it again.`,
          },
        };
      }
      if (binding === undefined || !sameSecret(binding, bindingOf(entry.sessionId))) {
        return {
          ok: false,
          error: {
            code: 'OAUTH_STATE_WRONG_SESSION',
            message: 'This sign-in answer belongs to another console session; start it again.',
          },
        };
      }
      return { ok: true, value: entry };
    },
  };
}

/** PKCE (RFC 7636 §4.1-4.2): a 43-character verifier and its S256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  return { verifier, challenge };
}
