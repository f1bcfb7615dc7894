import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import * as z from 'zod';
import { ApiError, parseOrThrow } from '../http/api-error';
import { sameSecret } from '../http/authenticate';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from '../http/rate-limit';
import {
  CONSOLE_COOKIE,
  readConsoleCookie,
  serializeConsoleCookie,
} from '../http/console-sessions';
import type { ConsoleSessions } from '../http/console-sessions';

/**
 * `/admin`: the console's page and its sign-in. The page is static (built by
 * admin-console/scripts/build-console.ts); everything it shows comes from /api/admin/…, which
 * accepts the session cookie set here. Sign-in checks the admin token once.
 */

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  // The console must not be framed by another site (clickjacking of its buttons).
  "frame-ancestors 'none'",
].join('; ');

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const loginBodySchema = z.strictObject({ token: z.string().min(1).max(1000) });

function isSameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

export function createConsoleRoutes(deps: {
  sessions: ConsoleSessions;
  adminToken: string;
  /** Where the built page is (admin-console/assets). */
  assetsDir: string;
  /** Set the cookie's Secure flag (a live server is reached over HTTPS). */
  secureCookie: boolean;
  onSignIn?: (event: { ok: boolean; ip: string | undefined }) => void;
}): Router {
  const router = Router();
  // Failed sign-ins per address: the admin token is long, but guessing must still be slow.
  // Only failures count, so an admin signing in and out all day is never locked out.
  const failures = createRateLimiter({ ...DEFAULT_RATE_LIMITS, run: { perMinute: 10, burst: 10 } });
  const lockedOut = new Map<string, number>();

  const sendPage = (_req: Request, res: Response) => {
    const page = join(deps.assetsDir, 'index.html');
    if (!existsSync(page)) {
      res
        .status(503)
        .type('text/plain')
        .send('The admin console is not built: run "npm run console:build" (npm start does it).');
      return;
    }
    res
      .type('html')
      .setHeader('Content-Security-Policy', PAGE_CSP)
      .setHeader('Cache-Control', 'no-store')
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Referrer-Policy', 'same-origin')
      .send(readFileSync(page));
  };
  router.get('/', sendPage);

  router.get('/assets/:name', (req, res) => {
    const name = String(req.params.name);
    const type = ASSETS[name];
    const file = join(deps.assetsDir, name);
    if (!type || !existsSync(file))
      throw new ApiError('NOT_FOUND', `No console asset ${name.slice(0, 40)}.`);
    res
      .type(type)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Cache-Control', 'no-cache');
    res.send(readFileSync(file));
  });

  router.post('/login', express.json({ limit: '4kb', strict: true }), async (req, res) => {
    // A cross-site page must not sign the browser in to a session of its choosing either.
    if (!isSameOrigin(req)) throw new ApiError('CSRF_INVALID', 'Sign in from the console page.');
    const ip = req.ip ?? '';
    const refuse = (until: number): never => {
      const retryAfterSeconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      throw new ApiError(
        'RATE_LIMITED',
        `Too many wrong tokens; try again in ${retryAfterSeconds} s.`,
        { retryAfterSeconds },
        { 'Retry-After': String(retryAfterSeconds) },
      );
    };
    const until = lockedOut.get(ip) ?? 0;
    if (until > Date.now()) refuse(until);
    lockedOut.delete(ip);
    const body = parseOrThrow(loginBodySchema, req.body, 'BODY_INVALID');
    if (!sameSecret(body.token, deps.adminToken)) {
      deps.onSignIn?.({ ok: false, ip: req.ip });
      const taken = failures.take('run', ip);
      if (!taken.ok) {
        const lockedUntil = Date.now() + taken.error.retryAfterSeconds * 1000;
        lockedOut.set(ip, lockedUntil);
        refuse(lockedUntil);
      }
      throw new ApiError('AUTH_INVALID', 'That is not the admin token.');
    }
    const issued = await deps.sessions.issue('admin');
    deps.onSignIn?.({ ok: true, ip: req.ip });
    res.setHeader(
      'Set-Cookie',
      serializeConsoleCookie(issued.token, {
        maxAgeSeconds: Math.floor((issued.session.expiresAt - Date.now()) / 1000),
        secure: deps.secureCookie,
      }),
    );
    res.json({
      user: issued.session.user,
      expiresAt: new Date(issued.session.expiresAt).toISOString(),
      csrfToken: issued.csrfToken,
    });
  });

  const sessionOf = async (req: Request) => {
    const cookie = readConsoleCookie(req.get('cookie'));
    if (cookie === undefined) throw new ApiError('AUTH_REQUIRED', 'Sign in to the console.');
    const verified = await deps.sessions.verify(cookie);
    if (!verified.ok) {
      throw new ApiError(
        verified.error.code === 'SESSION_EXPIRED' ? 'SESSION_EXPIRED' : 'AUTH_INVALID',
        'The console session has ended; sign in again.',
      );
    }
    return verified.value;
  };

  router.get('/session', async (req, res) => {
    const session = await sessionOf(req);
    res.setHeader('Cache-Control', 'no-store').json({
      user: session.user,
      expiresAt: new Date(session.expiresAt).toISOString(),
      csrfToken: deps.sessions.csrfTokenOf(session),
    });
  });

  router.post('/logout', async (req, res) => {
    const session = await sessionOf(req);
    const csrf = req.get('x-csrf-token') ?? '';
    if (!isSameOrigin(req) || !sameSecret(csrf, deps.sessions.csrfTokenOf(session))) {
      throw new ApiError('CSRF_INVALID', 'Sign out from the console page.');
    }
    await deps.sessions.revoke(session);
    res
      .setHeader('Set-Cookie', `${CONSOLE_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`)
      .status(204)
      .end();
  });

  return router;
}
