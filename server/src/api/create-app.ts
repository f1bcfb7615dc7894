import express from 'express';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { CompiledConfig } from '../compile/compiled-model';
import type { ConfigStore } from '../config/config-store';
import type { Logger } from '../logging/logger';
import type { RunLogStore } from '../run-log/run-record';
import type { IdempotencyStore } from '../runs/idempotency-store';
import type { SecretsStatus } from '../secrets/reloadable-secrets';
import type { RunDeps } from '../runs/run-connector';
import { ApiError, createErrorMiddleware, sendApiError } from './api-error';
import { createAuthenticator, requireAdmin } from './authenticate';
import type { AuthOptions } from './authenticate';
import { createConnectorsRouter, principalScope } from './connectors-routes';
import { createRateLimiter, kindOfApiRequest } from './rate-limit';
import type { RateLimiter, RateLimits } from './rate-limit';
import { createRunsRouter } from './runs-routes';
import { createSalesforceRouter } from '../helpdesks/salesforce/salesforce-routes';
import type { AgentAccess } from '../helpdesks/zendesk/identity/agent-access';
import type { AgentSessions } from '../helpdesks/zendesk/identity/agent-session';
import { createSessionRouter } from '../helpdesks/zendesk/identity/session-routes';
import { createSidebarRouter } from '../helpdesks/zendesk/identity/sidebar-routes';
import type { ZafTokenVerifier } from '../helpdesks/zendesk/identity/zaf-token';

export interface AppDeps {
  mode: 'sandbox' | 'live';
  configStore: ConfigStore<CompiledConfig>;
  /** Set when the secrets come from a file the server re-reads; shown on /health. */
  secretsStatus?: () => SecretsStatus;
  run: RunDeps;
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
  auth: Omit<AuthOptions, 'sessions' | 'onRejected'>;
  /**
   * The Zendesk sidebar, served at /zendesk/sidebar: undefined when Zendesk is not configured.
   * `identity` is undefined until the app's id and installation are set (the page says so).
   */
  zendeskSidebar?: {
    identity:
      { verifier: ZafTokenVerifier; sessions: AgentSessions; access: AgentAccess } | undefined;
    assetsDir: string;
    frameAncestors: readonly string[];
  };
  /** Set when Salesforce is configured: the secret the Apex controller sends. */
  salesforce?: { connectorKey: string };
  logger: Logger;
  /** Extra routers mounted before the API (the sandbox helpdesk and upstream, the preview page). */
  mounts?: { path: string; router: Router | Express }[];
  /**
   * Automations (server/src/workflows): `webhooks` is mounted at /webhooks with raw bodies and
   * no API auth (each delivery is signed); `api` joins the authenticated API.
   */
  workflows?: (
    run: RunDeps,
    idempotency: IdempotencyStore,
    limiter: RateLimiter,
  ) => { webhooks: Router; api: Router };
  /** Per-caller rate limits (server/src/api/rate-limit.ts); the defaults when unset. */
  rateLimits?: RateLimits;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The sandbox runs with well-known credentials and signs sidebar loads for any sandbox agent, so
 * it must answer only the developer's own machine. It listens on 127.0.0.1, but a web page could
 * still reach it through DNS rebinding (a name that first points at the page's server, then at
 * 127.0.0.1): the browser then sends that name as Host. Requests addressed to anything but a
 * loopback name are refused before any route sees them.
 */
function refuseNonLoopbackHost(req: Request, res: Response, next: NextFunction): void {
  if (LOOPBACK_NAMES.has(req.hostname.toLowerCase())) {
    next();
    return;
  }
  sendApiError(
    res,
    new ApiError(
      'HOST_NOT_ALLOWED',
      'The sandbox answers only requests to localhost or 127.0.0.1 (its credentials are public).',
    ),
  );
}

/** The Express app, without a listening socket, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  if (deps.mode === 'sandbox') app.use(refuseNonLoopbackHost);
  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.router);
  if (deps.zendeskSidebar) {
    app.use('/zendesk', createSidebarRouter({ ...deps.zendeskSidebar, logger: deps.logger }));
  }
  const identity = deps.zendeskSidebar?.identity;
  const limiter = createRateLimiter(deps.rateLimits);
  const workflows = deps.workflows?.(deps.run, deps.idempotency, limiter);
  if (workflows) app.use('/webhooks', workflows.webhooks);

  app.get('/health', (_req, res) => {
    const status = deps.configStore.status();
    const compiled = deps.configStore.current();
    const secrets = deps.secretsStatus?.();
    res.status(compiled ? 200 : 503).json({
      status: compiled && status.ok && secrets?.ok !== false ? 'ok' : 'degraded',
      mode: deps.mode,
      // The file's load time and why a reload failed (file name and reason): never a value.
      ...(secrets
        ? {
            secrets: {
              ok: secrets.ok,
              loadedAt: secrets.loadedAt,
              error: secrets.lastError?.message ?? null,
            },
          }
        : {}),
      config: {
        ok: status.ok,
        serving: compiled !== undefined,
        loadedAt: status.loadedAt ?? null,
        connectors: compiled?.connectors.size ?? 0,
        warnings: status.warnings.length,
        // The issues name config files and JSON paths only: no values, no secrets.
        errors: status.lastError
          ? status.lastError.issues
              .filter((issue) => issue.severity === 'error')
              .map((issue) => ({
                file: issue.file,
                path: issue.path,
                message: issue.message,
                hint: issue.hint,
              }))
          : [],
      },
    });
  });

  const authenticator = createAuthenticator({
    ...deps.auth,
    sessions: identity?.sessions,
    onRejected: (reason) => deps.logger.warn('request not authenticated', { reason }),
  });
  const api = express.Router();
  // Authenticate first: an unauthenticated caller gets a 401 before its body is even read.
  api.use(authenticator.middleware);
  // Per caller, after who it is is known and before any body is read or work is done.
  api.use(limiter.middleware(kindOfApiRequest, (req) => principalScope(req.principal)));
  api.use(express.json({ limit: '100kb', strict: true }));
  api.use(
    createConnectorsRouter({
      run: deps.run,
      config: () => deps.configStore.current(),
      runLog: deps.runLog,
      idempotency: deps.idempotency,
    }),
  );
  api.use(createRunsRouter({ runLog: deps.runLog, helpdesk: deps.run.helpdesks.get('zendesk') }));
  if (identity) api.use(createSessionRouter(identity));
  if (workflows) api.use(workflows.api);
  api.get('/admin/config', (req, res) => {
    requireAdmin(req);
    res.json(deps.configStore.status());
  });
  api.post('/admin/config/reload', async (req, res) => {
    requireAdmin(req);
    const result = await deps.configStore.reload();
    res.status(result.ok ? 200 : 422).json(deps.configStore.status());
  });
  api.use((req) => {
    throw new ApiError('NOT_FOUND', `No endpoint ${req.method} /api${req.path}.`);
  });
  if (deps.salesforce) {
    app.use(
      '/api/salesforce',
      createSalesforceRouter({
        run: deps.run,
        config: () => deps.configStore.current(),
        runLog: deps.runLog,
        idempotency: deps.idempotency,
        connectorKey: deps.salesforce.connectorKey,
        adminToken: deps.auth.adminToken,
        limiter,
        onRejected: (reason) =>
          deps.logger.warn('Salesforce request not authenticated', { reason }),
      }),
    );
  }
  app.use('/api', api);
  app.use((req, _res, next) =>
    next(new ApiError('NOT_FOUND', `No endpoint ${req.method} ${req.path}.`)),
  );
  app.use(createErrorMiddleware(deps.logger));
  return app;
}
