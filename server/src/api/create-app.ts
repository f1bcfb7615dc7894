import express from 'express';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { CompiledConfig } from '../compile/compiled-model';
import type { ConfigStore } from '../config/config-store';
import type { Logger } from '../logging/logger';
import type { RunLogStore } from '../run-log/run-record';
import type { IdempotencyStore } from '../runs/idempotency-store';
import type { SecretsStatus } from '../secrets/reloadable-secrets';
import type { RunDeps } from '../runs/run-connector';
import { ApiError, createErrorMiddleware, sendApiError } from '../http/api-error';
import { createAuthenticator, requireAdmin } from '../http/authenticate';
import type { AuthOptions } from '../http/authenticate';
import { principalScope } from '../http/authenticate';
import { CONNECTOR_RUN_PATH } from './helpdesk-routes';
import type { HelpdeskRoutes, RouteContext } from './helpdesk-routes';
import { createRateLimiter, kindOfApiRequest } from '../http/rate-limit';
import { routeAheadOfRouter } from '../http/route-ahead-of-router';
import { ID_PATTERN } from '../../../shared/src/config/connector-config-schema';
import type { RateLimiter, RateLimits } from '../http/rate-limit';
import type { LocatedIssue } from '../config/located-issue';
import { renderHomePage } from './home-page';
import type { ConfigVersionStore } from '../config-versions/config-version-store';
import { createConfigVersionRoutes } from '../config-versions/config-version-routes';
import { runWithIdempotency } from './run-with-idempotency';
import { createAgentKeyRoutes } from '../agents/agent-key-routes';
import { createAgentActionsRouter } from '../agents/create-agent-actions-router';
import type { AgentKeys } from '../agents/agent-keys';
import type { CustomerVerification } from '../agents/customer-verification';
import { createMcpRouter, describeMcpResource, SERVER_VERSION } from '../agents/create-mcp-router';
import type { ConsoleSessions } from '../http/console-sessions';
import { createConsoleRoutes } from '../console/console-routes';
import { createConsoleApiRoutes } from '../console/console-api-routes';
import type { ConsoleApiDeps } from '../console/console-api-routes';
import { createAlertRoutes } from '../alerts/alert-routes';
import type { AlertAdmin } from '../alerts/alert-routes';
import {
  OAUTH_CALLBACK_PATH,
  createOAuthCallbackRoutes,
  createOAuthConsoleRoutes,
} from '../oauth/oauth-routes';
import type { OAuthRouteDeps } from '../oauth/oauth-routes';

export interface AppDeps {
  mode: 'sandbox' | 'live';
  configStore: ConfigStore<CompiledConfig>;
  /** Set when the secrets come from a file the server re-reads; shown on /health. */
  secretsStatus?: () => SecretsStatus;
  run: RunDeps;
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
  auth: Omit<AuthOptions, 'sessions' | 'onRejected'>;
  /** The routes of each connected helpdesk (helpdesks/<name>/<name>-module.ts). */
  helpdesks: readonly HelpdeskRoutes[];
  logger: Logger;
  /** Extra routers mounted before the API (the sandbox helpdesk and upstream, the preview page). */
  mounts?: { path: string; router: Router | Express }[];
  /**
   * Automations (server/src/workflows): `webhooks` is mounted at /webhooks with raw bodies and
   * no API auth (each delivery is signed); `api` joins the authenticated API. They run in the
   * automation lane, with run dependencies of their own (start-server.ts), not `run`.
   */
  workflows?: (limiter: RateLimiter) => { webhooks: Router; api: Router };
  /** Per-caller rate limits (server/src/api/rate-limit.ts); the defaults when unset. */
  rateLimits?: RateLimits;
  /** Live instances sharing the limits (several on PostgreSQL); 1 when alone. */
  instances?: () => number;
  /** On PostgreSQL: whether this instance reaches it, and how many instances share it. */
  database?: () => { ok: boolean; instances: number };
  /** AI agents' keys: /mcp and the admin API's /api/admin/agent-keys. */
  agentKeys?: AgentKeys;
  /** This server's base URL (the MCP 401 points clients to its metadata). */
  serverUrl?: () => string;
  /** Customer verification by email code, for AI agents' protected tools. */
  verification?: CustomerVerification;
  /** The accepted configs, for history and rollback (the files at `configPath`). */
  configVersions?: { store: ConfigVersionStore; configPath: string };
  /** The admin console: its page and sign-in at /admin, its API at /api/admin/console. */
  console?: {
    sessions: ConsoleSessions;
    assetsDir: string;
    secureCookie: boolean;
    api: ConsoleApiDeps;
  };
  /** Connector alerts: /api/admin/alerts and resuming a paused connector (server/src/alerts/). */
  alerts?: AlertAdmin;
  /** OAuth connect flow: /api/admin/console/connections and /oauth/callback (server/src/oauth/). */
  oauth?: OAuthRouteDeps;
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

/** A config issue as /health shows it: where, what, how to fix it. */
function describeIssue(issue: LocatedIssue): Omit<LocatedIssue, 'severity'> {
  return {
    file: issue.file,
    path: issue.path,
    message: issue.message,
    hint: issue.hint,
    ...(issue.line === undefined ? {} : { line: issue.line, column: issue.column ?? 1 }),
    ...(issue.subject === undefined ? {} : { subject: issue.subject }),
  };
}

/**
 * CONNECTOR_RUN_PATH below /api, exactly, with a connector id as the config allows one
 * (ID_PATTERN): lowercase, so no other spelling of the path and no encoded character takes the
 * route ahead of the router. Made from both, so neither can change without it.
 */
const CONNECTOR_RUN_URL = (() => {
  const path = `/api${CONNECTOR_RUN_PATH}`;
  if (!path.includes('/:connectorId/')) throw new Error('CONNECTOR_RUN_PATH lost :connectorId');
  const id = ID_PATTERN.source.replace(/^\^/, '').replace(/\$$/, '');
  return new RegExp(`^${path.replace(':connectorId', `(${id})`)}$`);
})();

/** The agent actions router's paths below /api (routing is case-insensitive, as Express's is). */
const AGENT_ACTION_PATH = /^\/(?:openapi\.json\/?$|agent-tools\/)/i;

/** The Express app, without a listening socket, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  if (deps.mode === 'sandbox') app.use(refuseNonLoopbackHost);
  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.router);
  const limiter = createRateLimiter(deps.rateLimits, Date.now, deps.instances);
  const routeContext: RouteContext = {
    run: deps.run,
    config: () => deps.configStore.current(),
    runLog: deps.runLog,
    idempotency: deps.idempotency,
    limiter,
    adminToken: deps.auth.adminToken,
    logger: deps.logger,
  };
  const mountedPaths = new Set((deps.mounts ?? []).map((mount) => mount.path));
  for (const helpdesk of deps.helpdesks) {
    for (const mount of helpdesk.mounts?.(routeContext) ?? []) {
      app.use(mount.path, mount.router);
      mountedPaths.add(mount.path);
    }
  }
  const authenticator = createAuthenticator({
    ...deps.auth,
    console: deps.console?.sessions,
    sessions: deps.helpdesks.find((helpdesk) => helpdesk.sessions)?.sessions,
    onRejected: (reason) => deps.logger.warn('request not authenticated', { reason }),
  });
  /** What every request to `/api` goes through first, in this order. */
  const apiEntry = [
    // Authenticate first: an unauthenticated caller gets a 401 before its body is even read.
    authenticator.middleware,
    // Per caller, after who it is is known and before any body is read or work is done.
    limiter.middleware(kindOfApiRequest, (req) => principalScope(req.principal)),
    express.json({ limit: '100kb', strict: true }),
  ];
  // Connector runs, the hot path, go from here to their handler through the same entry, instead
  // of walking this app's layers and two nested routers (about 6% of a run's CPU). Nothing
  // mounted above serves these paths; the other methods on them still reach the API below.
  const apiRuns = deps.helpdesks.flatMap((helpdesk) => helpdesk.apiRun?.(routeContext) ?? []);
  // One path: a second helpdesk's runs there would never be reached.
  if (apiRuns.length > 1) throw new Error('createApp: more than one helpdesk serves /api runs');
  const errorMiddleware = createErrorMiddleware(deps.logger);
  for (const run of apiRuns) {
    app.post(`/api${CONNECTOR_RUN_PATH}`, ...apiEntry, run);
    // And ahead of the app's router for the plain form of that path: the same handlers, and the
    // sandbox's host check that every request meets first (route-ahead-of-router.ts).
    routeAheadOfRouter(app, {
      method: 'POST',
      pattern: CONNECTOR_RUN_URL,
      paramNames: ['connectorId'],
      handlers: [...(deps.mode === 'sandbox' ? [refuseNonLoopbackHost] : []), ...apiEntry, run],
      onError: errorMiddleware,
    });
  }
  app.get('/', (_req, res) => {
    res
      .type('html')
      .setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        renderHomePage({
          mode: deps.mode,
          preview: mountedPaths.has('/preview'),
          salesforcePreview: mountedPaths.has('/preview/salesforce'),
        }),
      );
  });
  // Reached by the admin's browser straight from the authorization server: its state is its auth.
  // Mounted on its one path, so no other request walks into its router.
  if (deps.oauth) app.get(OAUTH_CALLBACK_PATH, createOAuthCallbackRoutes(deps.oauth));
  const workflows = deps.workflows?.(limiter);
  if (workflows) app.use('/webhooks', workflows.webhooks);
  const agentKeys = deps.agentKeys;
  const serverUrl = deps.serverUrl ?? (() => '');
  if (agentKeys) {
    const agentDeps = {
      run: deps.run,
      config: () => deps.configStore.current(),
      agentKeys,
      limiter,
      serverUrl,
      version: SERVER_VERSION,
      ...(deps.verification ? { verification: deps.verification } : {}),
    };
    // MCP clients authenticate with agent keys, not the API's tokens: its own route and auth.
    app.use('/mcp', createMcpRouter(agentDeps));
    // The same tools as HTTP actions described by OpenAPI, before the API's own authentication.
    const agentActions = createAgentActionsRouter({
      ...agentDeps,
      runOnce: (req, scope, fingerprint, run) =>
        runWithIdempotency({
          store: deps.idempotency,
          scope,
          key: req.get('idempotency-key'),
          fingerprint,
          run,
        }),
    });
    // Entered only for its own two paths: every other API request (each run) would otherwise
    // walk into the router and back out, parsing its URL again on the way.
    app.use('/api', (req, res, next) => {
      if (AGENT_ACTION_PATH.test(req.path)) agentActions(req, res, next);
      else next();
    });
    app.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
      res.json(describeMcpResource(serverUrl()));
    });
  }

  app.get('/health', (_req, res) => {
    const status = deps.configStore.status();
    const compiled = deps.configStore.current();
    const secrets = deps.secretsStatus?.();
    const helpdesks = deps.helpdesks.flatMap((helpdesk) =>
      helpdesk.health ? [helpdesk.health()] : [],
    );
    const helpdesksOk = helpdesks.every((helpdesk) => helpdesk.ok);
    const database = deps.database?.();
    res.status(compiled ? 200 : 503).json({
      status:
        compiled && status.ok && secrets?.ok !== false && helpdesksOk && database?.ok !== false
          ? 'ok'
          : 'degraded',
      mode: deps.mode,
      // Several instances: a database this one cannot reach makes it degraded (no host names).
      ...(database ? { database: { kind: 'postgres', ...database } } : {}),
      // A helpdesk connection that failed for good (a revoked OAuth grant): code and what to do.
      ...(helpdesks.length > 0 ? { helpdesks } : {}),
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
        // The issues name config files and JSON paths only: no values, no secrets.
        warnings: status.warnings.map(describeIssue),
        errors: status.lastError
          ? status.lastError.issues.filter((issue) => issue.severity === 'error').map(describeIssue)
          : [],
      },
    });
  });

  if (deps.console) {
    app.use(
      '/admin',
      createConsoleRoutes({
        sessions: deps.console.sessions,
        adminToken: deps.auth.adminToken,
        assetsDir: deps.console.assetsDir,
        secureCookie: deps.console.secureCookie,
        ...(deps.instances ? { instances: deps.instances } : {}),
        onSignIn: (event) =>
          deps.logger[event.ok ? 'info' : 'warn']('console sign-in', {
            ok: event.ok,
            ip: event.ip,
          }),
      }),
    );
  }

  const api = express.Router();
  api.use(...apiEntry);
  for (const helpdesk of deps.helpdesks) {
    const router = helpdesk.api?.(routeContext);
    if (router) api.use(router);
  }
  if (workflows) api.use(workflows.api);
  if (agentKeys) {
    api.use(
      '/admin/agent-keys',
      createAgentKeyRoutes(agentKeys, () => {
        const config = deps.configStore.current();
        return config
          ? [...config.connectors.values()]
              .filter((connector) => connector.def.surfaces.includes('agent'))
              .map((connector) => connector.id)
          : undefined;
      }),
    );
  }
  if (deps.oauth) api.use('/admin/console/connections', createOAuthConsoleRoutes(deps.oauth));
  if (deps.console) api.use('/admin/console', createConsoleApiRoutes(deps.console.api));
  api.get('/admin/config', (req, res) => {
    requireAdmin(req);
    res.json(deps.configStore.status());
  });
  if (deps.configVersions) {
    api.use(
      '/admin/config/versions',
      createConfigVersionRoutes({
        ...deps.configVersions,
        reload: () => deps.configStore.reload(),
      }),
    );
  }
  api.post('/admin/config/reload', async (req, res) => {
    requireAdmin(req);
    const result = await deps.configStore.reload();
    res.status(result.ok ? 200 : 422).json(deps.configStore.status());
  });
  if (deps.alerts) api.use(createAlertRoutes(deps.alerts));
  api.use((req) => {
    throw new ApiError('NOT_FOUND', `No endpoint ${req.method} /api${req.path}.`);
  });
  app.use('/api', api);
  app.use((req, _res, next) =>
    next(new ApiError('NOT_FOUND', `No endpoint ${req.method} ${req.path}.`)),
  );
  app.use(errorMiddleware);
  return app;
}
