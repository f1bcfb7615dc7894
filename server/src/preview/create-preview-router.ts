import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import * as z from 'zod';
import type { Logger } from '../logging/logger';
import { proxyCallSchema } from './preview-contracts';
import type { PreviewState } from './preview-contracts';
import { proxyAppRequest } from './proxy-app-request';
import { FALLBACK_AGENT, loadPreviewFields, loadPreviewTicket } from './preview-zendesk';
import type { PreviewZendesk } from './preview-zendesk';
import {
  renderConversation,
  renderPreviewPage,
  renderPreviewProblem,
  renderTags,
} from './render-preview-page';

export interface PreviewRouterDeps {
  /** Reads tickets, users, fields (and comments, when the client can list them). */
  zendesk: PreviewZendesk;
  /** The built app: the folder holding iframe.html (zendesk-app/assets). */
  appAssetsDir: string;
  /** The server's own base URL: the app's `server_url` setting and its domainWhitelist. */
  serverUrl: () => string;
  /** The installation's secure `shared_secret` setting, as the server knows it. */
  sharedSecret: string;
  logger: Logger;
}

const pageQuerySchema = z.strictObject({
  ticket: z
    .string()
    .regex(/^\d{1,16}$/, 'must be a ticket id')
    .transform(Number)
    .optional(),
  secret: z.literal('wrong').optional(),
});

const ticketQuerySchema = z.strictObject({
  ticket: z
    .string()
    .regex(/^\d{1,16}$/, 'must be a ticket id')
    .transform(Number),
});

// Resolved from the project folder (where `npm start` runs), not from this module: in production
// the server runs as one bundled file in dist/, away from these sources.
const HOST_ENTRY = resolve('server/src/preview/host/preview-host.ts');
const CSS_FILE = resolve('server/src/preview/preview.css');

/** Bundled once per process, on first use: esbuild is only needed when the preview is opened. */
function createHostBundler(): () => Promise<string> {
  let bundle: Promise<string> | undefined;
  return () => {
    bundle ??= import('esbuild')
      .then((esbuild) =>
        esbuild.build({
          entryPoints: [HOST_ENTRY],
          bundle: true,
          write: false,
          format: 'iife',
          target: 'es2020',
          logLevel: 'silent',
        }),
      )
      .then((result) => result.outputFiles[0]?.text ?? '')
      .catch((error: unknown) => {
        bundle = undefined;
        throw error;
      });
    return bundle;
  };
}

/**
 * A requests that may mint tokens with the shared secret must come from the preview page
 * itself: a cross-site page could otherwise have the browser post to it (CSRF).
 */
function isSameOriginCall(req: Request): boolean {
  if (!req.is('application/json')) return false;
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.get('origin');
  return origin === undefined || origin === `${req.protocol}://${req.get('host') ?? ''}`;
}

/**
 * The `/preview` page: a local stand-in for a Zendesk ticket with the sidebar app installed,
 * speaking the ZAF protocol to the real SDK. Mount it only in sandbox mode or when explicitly
 * enabled: its proxy signs requests with the shared secret for whoever can reach it.
 *
 * @example
 * app.use('/preview', createPreviewRouter({ zendesk, appAssetsDir: 'zendesk-app/assets',
 *   serverUrl: () => url, sharedSecret: env.appSharedSecret, logger }));
 */
export function createPreviewRouter(deps: PreviewRouterDeps): Router {
  const router = Router();
  const logger = deps.logger.child({ component: 'preview' });
  const bundleHost = createHostBundler();
  // Signs the requests of a `secret=wrong` page. Random per process and never sent anywhere,
  // so no request signed with it can pass.
  const wrongSecret = randomBytes(32).toString('base64url');
  const appGuid = randomUUID();

  const sendProblem = (
    req: Request,
    res: Response,
    status: number,
    title: string,
    message: string,
  ) =>
    res
      .status(status)
      .type('html')
      .send(renderPreviewProblem({ basePath: req.baseUrl, title, message }));

  router.get('/', async (req, res) => {
    const query = pageQuerySchema.safeParse(req.query);
    if (!query.success) {
      return sendProblem(
        req,
        res,
        400,
        'Not a preview address',
        'Use /preview?ticket=<id>, optionally with &secret=wrong.',
      );
    }
    const ticketId = query.data.ticket ?? 1;
    const [ticket, fields] = await Promise.all([
      loadPreviewTicket(deps.zendesk, ticketId),
      loadPreviewFields(deps.zendesk),
    ]);
    if (!ticket.ok || !fields.ok) {
      const error = !ticket.ok ? ticket.error : !fields.ok ? fields.error : undefined;
      const notFound = error?.code === 'ZENDESK_NOT_FOUND';
      logger.warn('preview could not read the ticket', { ticketId, code: error?.code });
      return sendProblem(
        req,
        res,
        notFound ? 404 : 502,
        notFound ? `There is no ticket ${ticketId}` : 'Zendesk did not answer',
        notFound ? 'Pick one of the tickets above.' : (error?.message ?? ''),
      );
    }
    const state: PreviewState = {
      ticket: ticket.value,
      fields: fields.value,
      currentUser: ticket.value.assignee ?? FALLBACK_AGENT,
      settings: { server_url: deps.serverUrl(), title: 'Data Connectors' },
      appGuid,
      appId: 1,
      installationId: 1,
      wrongSecret: query.data.secret === 'wrong',
    };
    res
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        renderPreviewPage({
          basePath: req.baseUrl,
          state,
          appBuilt: existsSync(join(deps.appAssetsDir, 'iframe.html')),
        }),
      );
  });

  router.get('/ticket.json', async (req, res) => {
    const query = ticketQuerySchema.safeParse(req.query);
    if (!query.success) return res.status(400).json({ error: 'ticket must be a ticket id' });
    const ticket = await loadPreviewTicket(deps.zendesk, query.data.ticket);
    if (!ticket.ok) {
      return res
        .status(ticket.error.code === 'ZENDESK_NOT_FOUND' ? 404 : 502)
        .json({ error: ticket.error.message });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      ticket: ticket.value,
      html: { conversation: renderConversation(ticket.value), tags: renderTags(ticket.value) },
    });
  });

  router.post('/proxy', express.json({ limit: '200kb' }), async (req, res) => {
    if (!isSameOriginCall(req)) {
      return res.status(403).json({ error: 'The preview proxy only answers its own page.' });
    }
    const call = proxyCallSchema.safeParse(req.body);
    if (!call.success)
      return res.status(400).json({ error: 'Send {ticketId, wrongSecret, options}.' });
    const reply = await proxyAppRequest(call.data.options, {
      zendesk: deps.zendesk,
      serverUrl: deps.serverUrl,
      sharedSecret: call.data.wrongSecret ? wrongSecret : deps.sharedSecret,
      logger,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json(reply);
  });

  router.get('/host.js', async (_req, res) => {
    res
      .type('application/javascript')
      .setHeader('Cache-Control', 'no-cache')
      .send(await bundleHost());
  });

  router.get('/preview.css', (_req, res) => {
    res.sendFile(CSS_FILE);
  });

  // A missing file falls through to the service's own 404.
  router.use('/app/assets', express.static(deps.appAssetsDir, { index: false, maxAge: 0 }));

  return router;
}
