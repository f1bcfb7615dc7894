import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type pg from 'pg';
import { readOrCreateServerSecret } from '../../../postgres/read-or-create-server-secret';
import type { Result } from '../../../../../shared/src/result';
import type { ZafIdentity } from './zaf-token';

/**
 * The sidebar's session: once Zendesk's signed token has proven who the agent is (it arrives
 * only with the first page load), the server hands the page a short-lived token of its own,
 * bound to the account, the app installation and the Zendesk user. Every API call carries it;
 * the browser can neither make one nor change what it names.
 * - HS256 with a key only this server (or its siblings) holds; `aud` keeps it from being taken
 *   for any other token the server reads;
 * - it lives `ttlSeconds` (15 minutes) and the page renews it while it is valid, but a session
 *   never outlives `maxSeconds` (12 hours) from the signed page load: after that the agent
 *   reopens the ticket, and Zendesk signs a new start;
 * - the account and installation are checked again on every request, so a server moved to
 *   another account or installation stops accepting sessions made for the old one.
 */
export interface AgentSession {
  id: string;
  userId: number;
  accountHost: string;
  installationId: number;
  appId: number;
  /** When Zendesk's signed load started the session (ms). */
  startedAt: number;
  expiresAt: number;
}

export type SessionErrorCode = 'SESSION_EXPIRED' | 'SESSION_INVALID';

export interface SessionError {
  code: SessionErrorCode;
  reason: string;
}

export interface IssuedSession {
  token: string;
  expiresAt: string;
  session: AgentSession;
}

const ISSUER = 'data-connectors';
const AUDIENCE = 'data-connectors:zendesk-sidebar';
const CLOCK_SKEW_SECONDS = 5;

export interface AgentSessionsOptions {
  key: Uint8Array;
  accountHost: string;
  installationIds: readonly number[];
  appId: number;
  ttlSeconds?: number;
  maxSeconds?: number;
  now?: () => number;
}

export function createAgentSessions(options: AgentSessionsOptions) {
  const now = options.now ?? Date.now;
  const ttl = options.ttlSeconds ?? 15 * 60;
  const max = options.maxSeconds ?? 12 * 60 * 60;
  const installations = new Set(options.installationIds);

  async function sign(session: Omit<AgentSession, 'id' | 'expiresAt'>): Promise<IssuedSession> {
    const issuedAt = Math.floor(now() / 1000);
    const expires = Math.min(issuedAt + ttl, Math.floor(session.startedAt / 1000) + max);
    const id = randomUUID();
    const token = await new SignJWT({
      acc: session.accountHost,
      ins: session.installationId,
      app: session.appId,
      sst: Math.floor(session.startedAt / 1000),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(String(session.userId))
      .setIssuedAt(issuedAt)
      .setExpirationTime(expires)
      .setJti(id)
      .sign(options.key);
    return {
      token,
      expiresAt: new Date(expires * 1000).toISOString(),
      session: { ...session, id, expiresAt: expires * 1000 },
    };
  }

  return {
    /** A new session for an identity Zendesk has just signed. */
    start(identity: ZafIdentity): Promise<IssuedSession> {
      return sign({
        userId: identity.userId,
        accountHost: identity.accountHost,
        installationId: identity.installationId,
        appId: identity.appId,
        startedAt: now(),
      });
    },

    /** The same session with a new expiry, unless it has reached its maximum age. */
    async renew(session: AgentSession): Promise<Result<IssuedSession, SessionError>> {
      if (now() >= session.startedAt + max * 1000) {
        return {
          ok: false,
          error: { code: 'SESSION_EXPIRED', reason: 'session at its maximum age' },
        };
      }
      const { id: _id, expiresAt: _expiresAt, ...rest } = session;
      return { ok: true, value: await sign(rest) };
    },

    async verify(token: string): Promise<Result<AgentSession, SessionError>> {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, options.key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          return { ok: false, error: { code: 'SESSION_EXPIRED', reason: 'session token expired' } };
        }
        const reason =
          error instanceof joseErrors.JOSEError ? `${error.code}: ${error.message}` : 'unreadable';
        return { ok: false, error: { code: 'SESSION_INVALID', reason } };
      }
      const userId = Number(payload.sub);
      const { acc, ins, app, sst } = payload as Record<string, unknown>;
      if (
        !Number.isSafeInteger(userId) ||
        userId <= 0 ||
        acc !== options.accountHost ||
        typeof ins !== 'number' ||
        !installations.has(ins) ||
        app !== options.appId ||
        typeof sst !== 'number'
      ) {
        return {
          ok: false,
          error: {
            code: 'SESSION_INVALID',
            reason: 'session names another account or installation',
          },
        };
      }
      return {
        ok: true,
        value: {
          id: String(payload.jti),
          userId,
          accountHost: acc,
          installationId: ins,
          appId: app,
          startedAt: sst * 1000,
          expiresAt: (payload.exp ?? 0) * 1000,
        },
      };
    },
  };
}

export type AgentSessions = ReturnType<typeof createAgentSessions>;

export const SESSION_KEY_FILE = 'session.key';

/**
 * The key sessions are signed with: APP_SESSION_SECRET when set (several instances must share
 * it), else 32 random bytes kept in the data folder (mode 0600), so a restart does not sign
 * every agent out.
 */
export function readOrCreateSessionKey(dataDir: string, secret: string | undefined): Uint8Array {
  if (secret !== undefined) return new TextEncoder().encode(secret);
  const path = join(dataDir, SESSION_KEY_FILE);
  if (existsSync(path)) {
    const stored = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (stored.length >= 32) return new Uint8Array(stored);
  }
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64url'), { mode: 0o600 });
  chmodSync(path, 0o600);
  return new Uint8Array(key);
}

/**
 * The same for several instances on one database (DATABASE_URL): APP_SESSION_SECRET when set,
 * else 32 random bytes drawn by the first instance and read by the others (server_secrets), so a
 * session signed by one instance holds on every other.
 */
export async function readOrCreateSharedSessionKey(
  pool: pg.Pool,
  secret: string | undefined,
): Promise<Uint8Array> {
  if (secret !== undefined) return new TextEncoder().encode(secret);
  return new Uint8Array(await readOrCreateServerSecret(pool, 'session-key'));
}
