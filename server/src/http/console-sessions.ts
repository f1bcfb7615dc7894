import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { Result } from '../../../shared/src/result';

/**
 * The admin console's sign-in: an admin proves they hold the admin token once, and the browser
 * gets a session cookie instead of keeping the token in page memory or storage.
 * - The cookie holds an HS256 token whose key is derived from the admin token: rotating the
 *   admin token signs every console session out, and every instance of the server (scale-out)
 *   accepts the sessions of the others without sharing a table.
 * - It expires `ttlSeconds` after sign-in (8 hours, a working day); there is no sliding renewal,
 *   so a stolen cookie is good for a bounded time.
 * - Sign-out revokes the session id until its expiry: in this process's memory, or, with
 *   several instances on one database, in PostgreSQL (postgres-session-revocations.ts), so a
 *   sign-out holds on every instance. Without a database another instance does not learn of it
 *   (docs/admin.md says so), which is why the lifetime is short.
 * - The CSRF token is an HMAC of the session id: the console page reads it from /admin/session
 *   (same origin only) and sends it with every change; a cross-site form cannot know it.
 */
export interface ConsoleSession {
  id: string;
  /** Who signed in, as the version history shows them ("console", or a Zendesk admin's name). */
  user: string;
  expiresAt: number;
}

export interface IssuedConsoleSession {
  token: string;
  csrfToken: string;
  session: ConsoleSession;
}

export type ConsoleSessionError = { code: 'SESSION_EXPIRED' | 'SESSION_INVALID'; reason: string };

const ISSUER = 'data-connectors';
const AUDIENCE = 'data-connectors:admin-console';
export const CONSOLE_COOKIE = 'dc_console';
export const CONSOLE_SESSION_SECONDS = 8 * 60 * 60;

export interface ConsoleSessions {
  issue(user: string): Promise<IssuedConsoleSession>;
  verify(token: string): Promise<Result<ConsoleSession, ConsoleSessionError>>;
  csrfTokenOf(session: ConsoleSession): string;
  revoke(session: ConsoleSession): Promise<void>;
}

/** The signed-out session ids, each kept until the session would have expired anyway. */
export interface SessionRevocations {
  add(sessionId: string, expiresAt: number, nowMs: number): Promise<void>;
  has(sessionId: string): Promise<boolean>;
}

/** This process's memory: one instance. */
function createMemoryRevocations(): SessionRevocations {
  const revoked = new Map<string, number>();
  return {
    add: async (sessionId, expiresAt, nowMs) => {
      for (const [id, until] of revoked) if (until <= nowMs) revoked.delete(id);
      revoked.set(sessionId, expiresAt);
    },
    has: async (sessionId) => revoked.has(sessionId),
  };
}

export function createConsoleSessions(options: {
  adminToken: string;
  ttlSeconds?: number;
  now?: () => number;
  /** Where sign-outs are kept (default: this process's memory). */
  revocations?: SessionRevocations;
}): ConsoleSessions {
  const now = options.now ?? Date.now;
  const ttl = options.ttlSeconds ?? CONSOLE_SESSION_SECONDS;
  // Derived, so the admin token itself never signs anything a browser holds.
  const key = createHmac('sha256', options.adminToken).update('console-session-key').digest();
  const revoked = options.revocations ?? createMemoryRevocations();

  const csrfTokenOf = (session: ConsoleSession): string =>
    createHmac('sha256', key).update(`csrf:${session.id}`).digest('base64url');

  return {
    csrfTokenOf,
    async issue(user) {
      const issuedAt = Math.floor(now() / 1000);
      const session: ConsoleSession = {
        id: randomUUID(),
        user,
        expiresAt: (issuedAt + ttl) * 1000,
      };
      const token = await new SignJWT({ name: user })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(session.id)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttl)
        .sign(key);
      return { token, csrfToken: csrfTokenOf(session), session };
    },
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          return {
            ok: false,
            error: { code: 'SESSION_EXPIRED', reason: 'console session expired' },
          };
        }
        return { ok: false, error: { code: 'SESSION_INVALID', reason: 'bad console session' } };
      }
      if (typeof payload.jti !== 'string' || typeof payload.name !== 'string' || !payload.exp) {
        return { ok: false, error: { code: 'SESSION_INVALID', reason: 'claims missing' } };
      }
      // Outside the try: a database that cannot answer is a server error, not a bad session.
      if (await revoked.has(payload.jti)) {
        return { ok: false, error: { code: 'SESSION_EXPIRED', reason: 'signed out' } };
      }
      return {
        ok: true,
        value: { id: payload.jti, user: payload.name, expiresAt: payload.exp * 1000 },
      };
    },
    async revoke(session) {
      await revoked.add(session.id, session.expiresAt, now());
    },
  };
}

/** The cookie as the browser must keep it: never readable by scripts, never sent cross-site. */
export function serializeConsoleCookie(
  value: string,
  options: { maxAgeSeconds: number; secure: boolean },
): string {
  return [
    `${CONSOLE_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The console cookie's value from a Cookie header, if there is exactly one. */
export function readConsoleCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${CONSOLE_COOKIE}=`))
    .map((part) => part.slice(CONSOLE_COOKIE.length + 1));
  // Two cookies of that name (one planted by a sibling subdomain) is not a session to trust.
  return values.length === 1 ? values[0] : undefined;
}
