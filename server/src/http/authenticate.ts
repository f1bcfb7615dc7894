import { hash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AgentSession, AgentSessions } from '../helpdesks/zendesk/identity/agent-session';
import { ApiError } from './api-error';
import type { ConsoleSessions } from './console-sessions';
import { readConsoleCookie } from './console-sessions';

/**
 * Two kinds of caller on /api (Salesforce's Apex controller has its own door, below):
 * - Zendesk agents, through the sidebar: a session token the server issued after verifying the
 *   RS256 token Zendesk signed for that agent (helpdesks/zendesk/identity/). Who the agent is comes from
 *   that signature alone, never from anything the browser sends;
 * - admins and scripts: a static admin token.
 * Both arrive as `Authorization: Bearer …`. Failures answer the same 401 whatever went wrong
 * (apart from an expired session, which the sidebar renews), so a caller cannot probe which
 * part was off; the reason goes to the server log.
 */

export type Principal =
  /** The admin token, or a console session signed in with it (`user` names who, for history). */
  | { kind: 'admin'; user?: string; sessionId?: string }
  /** A Zendesk agent, proven by a sidebar session. */
  | { kind: 'agent'; session: AgentSession }
  /**
   * A helpdesk's own server-side code, through a shared secret header (Salesforce's Apex
   * controller, through its Named Credential): it vouches for the user ids it sends.
   */
  | { kind: 'app'; system: string };

export interface AuthOptions {
  adminToken: string;
  /** Undefined when the server is not set up for the Zendesk sidebar. */
  sessions: AgentSessions | undefined;
  /** The admin console's cookie sessions; undefined when the console is off. */
  console?: ConsoleSessions | undefined;
  onRejected?: (reason: string) => void;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

// One-shot: no Hash object per request (1.5 µs against 2.1 µs, measured on 12-05).
const digestOf = (text: string): Buffer => hash('sha256', text, 'buffer');

export function sameSecret(given: string, expected: string): boolean {
  // Hash both sides so the comparison is constant-time whatever the lengths.
  return timingSafeEqual(digestOf(given), digestOf(expected));
}

/** `sameSecret` against one fixed secret, hashed once rather than on every request. */
function matchesSecret(expected: string): (given: string) => boolean {
  const expectedDigest = digestOf(expected);
  return (given) => timingSafeEqual(digestOf(given), expectedDigest);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Origin (or, failing it, Referer) names this server; a browser always sends one on changes. */
function isSameOrigin(req: Request): boolean {
  const origin = req.get('origin') ?? req.get('referer');
  if (!origin) return false;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

const BEARER = /^Bearer\s+([^\s]+)\s*$/i;

export function createAuthenticator(options: AuthOptions) {
  const isAdminToken = matchesSecret(options.adminToken);
  const reject = (
    reason: string,
    code: 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'SESSION_EXPIRED',
  ): ApiError => {
    options.onRejected?.(reason);
    const message =
      code === 'AUTH_REQUIRED'
        ? 'Authentication is required.'
        : code === 'SESSION_EXPIRED'
          ? 'The session has expired; reopen the ticket in Zendesk.'
          : 'The credentials were not accepted.';
    return new ApiError(code, message, undefined, { 'WWW-Authenticate': 'Bearer' });
  };

  async function authenticate(header: string | undefined): Promise<Principal> {
    const match = BEARER.exec(header ?? '');
    if (!match) throw reject('missing bearer token', 'AUTH_REQUIRED');
    const token = match[1] as string;
    if (isAdminToken(token)) return { kind: 'admin' };
    // The console inside Zendesk's nav_bar carries its session as a bearer token (no cookie
    // reaches a third-party frame); its audience keeps it apart from a sidebar session.
    if (options.console) {
      const consoleSession = await options.console.verify(token);
      if (consoleSession.ok) {
        return {
          kind: 'admin',
          user: consoleSession.value.user,
          sessionId: consoleSession.value.id,
        };
      }
    }
    if (!options.sessions)
      throw reject('not an admin token; sidebar sessions are off', 'AUTH_INVALID');
    const verified = await options.sessions.verify(token);
    if (!verified.ok) {
      throw reject(
        verified.error.reason,
        verified.error.code === 'SESSION_EXPIRED' ? 'SESSION_EXPIRED' : 'AUTH_INVALID',
      );
    }
    return { kind: 'agent', session: verified.value };
  }

  /**
   * A console session rides on a cookie, which the browser attaches by itself: so besides
   * SameSite=Strict, a change must carry the session's CSRF token and come from this origin.
   */
  async function authenticateConsole(req: Request, cookie: string): Promise<Principal> {
    const consoleSessions = options.console;
    if (!consoleSessions) throw reject('console cookie but the console is off', 'AUTH_REQUIRED');
    const verified = await consoleSessions.verify(cookie);
    if (!verified.ok) {
      throw reject(
        verified.error.reason,
        verified.error.code === 'SESSION_EXPIRED' ? 'SESSION_EXPIRED' : 'AUTH_INVALID',
      );
    }
    if (!SAFE_METHODS.has(req.method)) {
      const csrf = req.get('x-csrf-token') ?? '';
      if (!sameSecret(csrf, consoleSessions.csrfTokenOf(verified.value))) {
        options.onRejected?.('console change without its CSRF token');
        throw new ApiError('CSRF_INVALID', 'Reload the console page and try again.');
      }
      if (!isSameOrigin(req)) {
        options.onRejected?.('console change from another origin');
        throw new ApiError('CSRF_INVALID', 'Changes are accepted only from the console page.');
      }
    }
    return { kind: 'admin', user: verified.value.user, sessionId: verified.value.id };
  }

  return {
    authenticate,
    middleware: async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
      const header = req.get('authorization');
      const cookie = header === undefined ? readConsoleCookie(req.get('cookie')) : undefined;
      req.principal =
        cookie === undefined ? await authenticate(header) : await authenticateConsole(req, cookie);
      next();
    },
  };
}

/**
 * Whose Idempotency-Keys and rate limits a request shares: the admin token, a helpdesk's
 * server-side code, or one agent of one account.
 */
export function principalScope(principal: Principal | undefined): string {
  if (!principal || principal.kind === 'admin') return 'admin';
  if (principal.kind === 'app') return principal.system;
  const { session } = principal;
  return `zendesk:${session.accountHost}:${session.userId}`;
}

export function requireAdmin(req: Request): void {
  if (req.principal?.kind !== 'admin') {
    throw new ApiError('FORBIDDEN', 'This endpoint needs the admin token.');
  }
}

/** The proven Zendesk agent behind a request, or undefined for the admin token. */
export function agentOf(req: Request): AgentSession | undefined {
  return req.principal?.kind === 'agent' ? req.principal.session : undefined;
}

/**
 * Salesforce's Apex controller authenticates with a secret header that the External Credential
 * adds to every callout (`X-Connector-Key`); the secret never reaches the browser. Apex runs on
 * Salesforce's servers, so once the key checks out, the user and record ids it sends are the
 * ones Salesforce vouches for. The admin token is accepted too, for scripts.
 */
export function createConnectorKeyAuthenticator(options: {
  /** The helpdesk whose server-side code holds the key. */
  system: string;
  connectorKey: string;
  adminToken: string;
  onRejected?: (reason: string) => void;
}) {
  const isConnectorKey = matchesSecret(options.connectorKey);
  const isAdminToken = matchesSecret(options.adminToken);
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const key = req.get('x-connector-key');
    if (key !== undefined) {
      if (isConnectorKey(key)) {
        req.principal = { kind: 'app', system: options.system };
        next();
        return;
      }
      options.onRejected?.('wrong X-Connector-Key');
      throw new ApiError('AUTH_INVALID', 'The credentials were not accepted.');
    }
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (match && isAdminToken(match[1] as string)) {
      req.principal = { kind: 'admin' };
      next();
      return;
    }
    options.onRejected?.(match ? 'wrong admin token' : 'missing X-Connector-Key');
    throw new ApiError(
      match ? 'AUTH_INVALID' : 'AUTH_REQUIRED',
      match ? 'The credentials were not accepted.' : 'Authentication is required.',
    );
  };
}
