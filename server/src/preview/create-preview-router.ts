import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { SignJWT } from 'jose';
import * as z from 'zod';
import { loadOnce } from '../../../shared/src/load-once';
import type { Logger } from '../logging/logger';
import type { SignAppTokenOptions } from '../sandbox/fake-zendesk/app-signing';
import { SANDBOX_USER_IDS } from '../sandbox/seed/zendesk-seed';
import { proxyCallSchema } from './preview-contracts';
import { isSameOriginCall } from './same-origin-call';
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
  /** The server's own base URL: the app's `server_url` setting. */
  serverUrl: () => string;
  /** Signs the sidebar's page load as Zendesk signs a signed-URL location (the sandbox's key). */
  signAppToken: (options: SignAppTokenOptions) => Promise<string>;
  logger: Logger;
}

/** The sandbox agents the preview can act as, in the picker's order. */
export const PREVIEW_AGENT_IDS = [
  SANDBOX_USER_IDS.agent,
  SANDBOX_USER_IDS.admin,
  SANDBOX_USER_IDS.rileyRestricted,
  SANDBOX_USER_IDS.oliveOrg,
  SANDBOX_USER_IDS.ashaAssigned,
  SANDBOX_USER_IDS.leeLight,
] as const;

const pageQuerySchema = z.strictObject({
  ticket: z
    .string()
    .regex(/^\d{1,16}$/, 'must be a ticket id')
    .transform(Number)
    .optional(),
  agent: z
    .string()
    .regex(/^\d{1,16}$/, 'must be a user id')
    .transform(Number)
    .optional(),
  /** `forged`: sign the sidebar's load with a key Zendesk never published. */
  signature: z.literal('forged').optional(),
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
  return loadOnce(async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [HOST_ENTRY],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? '';
  });
}

/**
 * The `/preview` page: a local stand-in for a Zendesk ticket with the sidebar app installed,
 * speaking the ZAF protocol to the real SDK. It loads the sidebar the way Zendesk loads a
 * signed location (a form POST of a signed token to /zendesk/sidebar), so the page goes through
 * the server's real verification, for whichever sandbox agent the picker names. Mount it only
 * in sandbox mode or tests: it signs loads for any sandbox agent, for whoever can reach it.
 *
 * @example
 * app.use('/preview', createPreviewRouter({ zendesk, appAssetsDir: 'zendesk-app/assets',
 *   serverUrl: () => url, sharedSecret: env.appSharedSecret, logger }));
 */
export function createPreviewRouter(deps: PreviewRouterDeps): Router {
  const router = Router();
  const logger = deps.logger.child({ component: 'preview' });
  const bundleHost = createHostBundler();
  // Signs the load of a `signature=forged` page: a key pair of this process that Zendesk never
  // published, so the server must refuse what it signs.
  const forgedKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const appGuid = randomUUID();

  /** A token as Zendesk posts it, or one with the right claims and the wrong signature. */
  const signLoad = async (userId: number, forged: boolean): Promise<string> => {
    const token = await deps.signAppToken({ userId });
    if (!forged) return token;
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(forgedKey);
  };

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
        'Use /preview?ticket=<id>, optionally with &agent=<user id> and &signature=forged.',
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
    const agentId = query.data.agent ?? SANDBOX_USER_IDS.agent;
    const agent = await deps.zendesk.getUser(agentId);
    const currentUser = agent.ok
      ? {
          id: agent.value.id,
          name: agent.value.name,
          email: agent.value.email,
          role: agent.value.role,
          locale: 'en-US',
        }
      : FALLBACK_AGENT;
    const forged = query.data.signature === 'forged';
    const state: PreviewState = {
      ticket: ticket.value,
      fields: fields.value,
      currentUser,
      settings: { server_url: deps.serverUrl(), title: 'Data Connectors' },
      appGuid,
      appId: 1,
      installationId: 1,
      forgedSignature: forged,
    };
    const agents = await Promise.all(
      PREVIEW_AGENT_IDS.map(async (id) => {
        const user = await deps.zendesk.getUser(id);
        return { id, name: user.ok ? user.value.name : `User ${id}` };
      }),
    );
    res
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        renderPreviewPage({
          basePath: req.baseUrl,
          state,
          agents,
          signedLoad: { token: await signLoad(currentUser.id, forged) },
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
    if (!call.success) return res.status(400).json({ error: 'Send {ticketId, options}.' });
    const reply = await proxyAppRequest(call.data.options, { zendesk: deps.zendesk, logger });
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

  return router;
}
