import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Result } from '../../../shared/src/result';

/**
 * The admin console's sign-in: an admin proves they hold the admin token once, and the browser
 * gets a session cookie instead of keeping the token in page memory or storage.
 * - The cookie holds an HS256 token whose key is derived from the admin token: rotating the
 *   admin token signs every console session out, and every instance of the server (scale-out)
 *   accepts the sessions of the others without sharing a table.
 * - It expires `ttlSeconds` after sign-in (8 hours, a working day); there is no sliding renewal,
 *   so a stolen cookie is good for a bounded time.
 * - Sign-out revokes the session id here until its expiry; another instance learns of it only
 *   through its own sign-out list (docs/admin.md says so), which is why the lifetime is short.
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
  revoke(session: ConsoleSession): void;
}

export function createConsoleSessions(options: {
  adminToken: string;
  ttlSeconds?: number;
  now?: () => number;
}): ConsoleSessions {
  const now = options.now ?? Date.now;
  const ttl = options.ttlSeconds ?? CONSOLE_SESSION_SECONDS;
  // Derived, so the admin token itself never signs anything a browser holds.
  const key = createHmac('sha256', options.adminToken).update('console-session-key').digest();
  const revoked = new Map<string, number>();

  const csrfTokenOf = (session: ConsoleSession): string =>
    createHmac('sha256', key).update(`csrf:${session.id}`).digest('base64url');

  const forgetExpired = (): void => {
    const nowMs = now();
    for (const [id, expiresAt] of revoked) if (expiresAt <= nowMs) revoked.delete(id);
  };

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
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        if (typeof payload.jti !== 'string' || typeof payload.name !== 'string' || !payload.exp) {
          return { ok: false, error: { code: 'SESSION_INVALID', reason: 'claims missing' } };
        }
        if (revoked.has(payload.jti)) {
          return { ok: false, error: { code: 'SESSION_EXPIRED', reason: 'signed out' } };
        }
        return {
          ok: true,
          value: { id: payload.jti, user: payload.name, expiresAt: payload.exp * 1000 },
        };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          return {
            ok: false,
            error: { code: 'SESSION_EXPIRED', reason: 'console session expired' },
          };
        }
        return { ok: false, error: { code: 'SESSION_INVALID', reason: 'bad console session' } };
      }
    },
    revoke(session) {
      forgetExpired();
      revoked.set(session.id, session.expiresAt);
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
