import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import * as z from 'zod';
import type { Logger } from '../../../logging/logger';
import type { AgentAccess } from './agent-access';
import type { AgentSessions } from './agent-session';
import type { ZafIdentity, ZafTokenVerifier } from './zaf-token';
import { embedJson, escapeHtml } from '../../../http/html';
import type { ConsoleSessions } from '../../../http/console-sessions';

/**
 * Where Zendesk loads the sidebar: the app's manifest points its ticket_sidebar location at
 * `{server_url}/zendesk/sidebar` with `"signedUrls": true`, so Zendesk POSTs the page request
 * with a signed `token` form field (and appends `origin` and `app_guid` to the URL, which the
 * ZAF SDK reads). The server checks the signature, looks the agent up in Zendesk, and answers
 * with the app's page carrying a session of its own (agent-session.ts). The app's scripts and
 * styles are served beside it, same origin as the API, so the page calls the API directly.
 *
 * Every failure answers with a short page the agent can read in the sidebar; the reason goes
 * to the server log, never to the page.
 */
export interface SidebarRouteDeps {
  /** Undefined when the server is not set up for the sidebar (no app id / installation). */
  identity:
    { verifier: ZafTokenVerifier; sessions: AgentSessions; access: AgentAccess } | undefined;
  /** The built app (zendesk-app/assets): iframe.html, app.js, app.css, logos. */
  assetsDir: string;
  /** Who may frame the page (CSP frame-ancestors): the Zendesk account, and the preview. */
  frameAncestors: readonly string[];
  logger: Logger;
  /** The admin console, shown in Zendesk's nav_bar to the account's admins. */
  console?: { sessions: ConsoleSessions; assetsDir: string };
}

const signedLoadSchema = z.looseObject({ token: z.string().min(1).max(8192) });
const SESSION_PLACEHOLDER = '</head>';

interface Problem {
  status: number;
  title: string;
  message: string;
}

/** What the sidebar shows instead of the app, by why the load was refused. */
const PROBLEMS = {
  notSetUp: {
    status: 503,
    title: 'Not set up yet',
    message:
      'This Data Connectors server is not set up for the Zendesk sidebar. An admin must set ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID on the server (see docs/zendesk.md).',
  },
  unsigned: {
    status: 401,
    title: 'Open this app from Zendesk',
    message:
      'Zendesk signs every load of this app, and this one carried no signature. Open the ticket in Zendesk again.',
  },
  keyUnavailable: {
    status: 503,
    title: 'Zendesk did not answer',
    message:
      "The server could not fetch the app's public key from Zendesk. Reload the ticket in a moment.",
  },
  notVerified: {
    status: 401,
    title: 'Could not verify Zendesk',
    message:
      "Zendesk's signature on this app was not accepted. Reload the ticket; if it keeps happening, an admin should check the server's ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID.",
  },
  zendeskDown: {
    status: 503,
    title: 'Zendesk did not answer',
    message: 'Reload the ticket in a moment.',
  },
  notBuilt: {
    status: 503,
    title: 'The app is not built',
    message: 'The server has no built sidebar app: run `npm run zendesk:build` on the server.',
  },
  openedAlone: {
    status: 400,
    title: 'Open this app from Zendesk',
    message:
      'This page is the Data Connectors sidebar. Zendesk loads it, signed, next to a ticket; it cannot be opened on its own.',
  },
} satisfies Record<string, Problem>;

export function createSidebarRouter(deps: SidebarRouteDeps): Router {
  const router = Router();
  const logger = deps.logger.child({ component: 'zendesk-sidebar' });
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${deps.frameAncestors.join(' ') || "'none'"}`,
  ].join('; ');

  const pageHeaders = (res: Response) =>
    res
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Content-Security-Policy', csp)
      .setHeader('Referrer-Policy', 'no-referrer')
      .setHeader('X-Content-Type-Options', 'nosniff');

  const sendProblem = (res: Response, { status, title, message }: Problem) =>
    pageHeaders(res)
      .status(status)
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data Connectors</title>` +
          `<link rel="stylesheet" href="app.css"></head><body><main class="dc-app" data-testid="app" ` +
          `aria-busy="false"><div class="dc-problem" role="alert"><h2>${escapeHtml(title)}</h2>` +
          `<p>${escapeHtml(message)}</p></div></main></body></html>`,
      );

  /**
   * The part of a signed load both locations share: the token Zendesk posted, verified. On
   * failure the problem page is sent and undefined returned; the reason goes to the log.
   */
  const verifySignedLoad = async (
    req: Request,
    res: Response,
    what: 'sidebar' | 'console',
  ): Promise<
    { identity: NonNullable<SidebarRouteDeps['identity']>; zaf: ZafIdentity } | undefined
  > => {
    if (!deps.identity) {
      logger.warn(`${what} loaded but ZENDESK_APP_ID / ZENDESK_APP_INSTALLATION_ID are not set`);
      sendProblem(res, PROBLEMS.notSetUp);
      return undefined;
    }
    const body = signedLoadSchema.safeParse(req.body);
    if (!body.success) {
      logger.warn(`${what} load without a signed token`);
      sendProblem(res, PROBLEMS.unsigned);
      return undefined;
    }
    const verified = await deps.identity.verifier.verify(body.data.token);
    if (!verified.ok) {
      logger.warn(`${what} load refused`, {
        code: verified.error.code,
        reason: verified.error.reason,
      });
      sendProblem(
        res,
        verified.error.code === 'ZAF_KEY_UNAVAILABLE'
          ? PROBLEMS.keyUnavailable
          : PROBLEMS.notVerified,
      );
      return undefined;
    }
    return { identity: deps.identity, zaf: verified.value };
  };

  router.post(
    '/sidebar',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
    async (req, res) => {
      const signed = await verifySignedLoad(req, res, 'sidebar');
      if (!signed) return undefined;
      const { identity, zaf } = signed;
      const agent = await identity.access.loadAgent(zaf.userId);
      if (!agent.ok) {
        logger.warn('sidebar load by a user who may not use it', {
          userId: zaf.userId,
          code: agent.error.code,
        });
        return sendProblem(
          res,
          agent.error.code === 'AGENT_NOT_ALLOWED'
            ? { status: 403, title: 'Not available to you', message: agent.error.message }
            : PROBLEMS.zendeskDown,
        );
      }
      let page: string;
      try {
        page = await readFile(join(deps.assetsDir, 'iframe.html'), 'utf8');
      } catch {
        return sendProblem(res, PROBLEMS.notBuilt);
      }
      const issued = await identity.sessions.start(zaf);
      logger.info('sidebar session started', {
        userId: zaf.userId,
        installationId: zaf.installationId,
        location: zaf.location,
      });
      const state = embedJson({
        token: issued.token,
        expiresAt: issued.expiresAt,
        user: { id: agent.value.id, name: agent.value.name, role: agent.value.role },
      });
      pageHeaders(res).send(
        page.replace(
          SESSION_PLACEHOLDER,
          `<script type="application/json" id="dc-session">${state}</script>\n${SESSION_PLACEHOLDER}`,
        ),
      );
    },
  );

  router.get('/sidebar', (_req, res) => sendProblem(res, PROBLEMS.openedAlone));

  /**
   * The admin console in Zendesk's nav_bar: the same signed load as the sidebar, then the
   * user must be an admin of the account as Zendesk says now (not as the page claims). The
   * console runs in Zendesk's frame, where a SameSite=Strict cookie is never sent, so its
   * session travels as a bearer token embedded in the page, like the sidebar's.
   */
  router.post(
    '/console',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
    async (req, res) => {
      const consoleDeps = deps.console;
      if (!consoleDeps) return sendProblem(res, PROBLEMS.notSetUp);
      const signed = await verifySignedLoad(req, res, 'console');
      if (!signed) return undefined;
      const { zaf } = signed;
      const user = await signed.identity.access.loadAgent(zaf.userId);
      if (!user.ok || user.value.role !== 'admin') {
        logger.warn('console load by a user who is not a Zendesk admin', {
          userId: zaf.userId,
          ...(user.ok ? { role: user.value.role } : { code: user.error.code }),
        });
        return sendProblem(
          res,
          user.ok || user.error.code === 'AGENT_NOT_ALLOWED'
            ? {
                status: 403,
                title: 'For Zendesk admins',
                message:
                  'The Data Connectors console is open to the admins of this Zendesk account only.',
              }
            : PROBLEMS.zendeskDown,
        );
      }
      let page: string;
      try {
        page = await readFile(join(consoleDeps.assetsDir, 'index.html'), 'utf8');
      } catch {
        return sendProblem(res, PROBLEMS.notBuilt);
      }
      const issued = await consoleDeps.sessions.issue(`${user.value.name} (Zendesk admin)`);
      logger.info('console session started from Zendesk', { userId: zaf.userId });
      const state = embedJson({
        token: issued.token,
        expiresAt: new Date(issued.session.expiresAt).toISOString(),
        user: issued.session.user,
      });
      pageHeaders(res).send(
        page.replace(
          SESSION_PLACEHOLDER,
          `<script type="application/json" id="dc-console-session">${state}</script>\n${SESSION_PLACEHOLDER}`,
        ),
      );
    },
  );

  // The page's scripts, styles and logos (never iframe.html itself: it is only served signed).
  const serveAssets = express.static(deps.assetsDir, { index: false, maxAge: 0 });
  router.use((req, res, next) => {
    if (/iframe\.html$/i.test(req.path)) return next();
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return serveAssets(req, res, next);
  });

  return router;
}
