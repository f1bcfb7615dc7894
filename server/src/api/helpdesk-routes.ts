import type { BudgetSnapshot } from '../pacing/rate-budget';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { CompiledConfig } from '../compile/compiled-model';
import type { RunActor, RunLogStore, RunSource } from '../run-log/run-record';
import type { HelpdeskPort, LoadedTarget, LoadRequest } from '../runs/helpdesk-port';
import type { IdempotencyStore } from '../runs/idempotency-store';
import { runConnector } from '../runs/run-connector';
import type { RunDeps } from '../runs/run-connector';
import { listMacroViews, runMacro } from '../workflows/run-macro';
import type { Logger } from '../logging/logger';
import { ApiError } from '../http/api-error';
import type { RateLimiter } from '../http/rate-limit';
import { principalScope } from '../http/authenticate';
import type { AuthOptions } from '../http/authenticate';
import { listConnectorViews } from './connector-views';
import { toRunAnswer } from './run-result-view';
import { sendJsonAnswer } from '../http/send-json-answer';
import { runWithIdempotency } from './run-with-idempotency';

/**
 * The endpoints every helpdesk's app calls, once, generic over the helpdesk: connectors offered
 * on a target, running one, macros offered, and running one. Each helpdesk says
 * how to read its requests (`HelpdeskApi`: its query and body contracts, who the caller is, what
 * its own admin allows) and mounts this router where its app expects it (`/api` for the Zendesk
 * sidebar, `/api/salesforce` for Apex). The sequence is the same for all: refuse what the caller
 * may not ask, load the target as the caller may see it, check it applies, run once per
 * Idempotency-Key.
 */

/** Which target a request is about, and how the helpdesk loads it for this caller. */
export interface TargetRequest {
  targetId: string;
  load: LoadRequest;
  /**
   * The connectors the helpdesk's own settings allow this caller (Salesforce's org setting);
   * every one when undefined.
   */
  allowed?: ReadonlySet<string>;
  /** Where, and by whose settings, in a CONNECTOR_NOT_ALLOWED message ("on Case records in …"). */
  place?: string;
}

/** A request that runs something: the target, and who runs it. */
export interface RunningRequest extends TargetRequest {
  confirmed: boolean;
  source: RunSource;
  /** Who runs it before the target is loaded (the helpdesk replaces it with its own user). */
  actor: RunActor;
  /** What makes two requests "the same" for Idempotency-Key (ids normalised). */
  fingerprint: Record<string, unknown>;
}

export interface ConnectorRunRequest extends RunningRequest {
  inputs: Record<string, unknown>;
  dryRun: boolean;
  /** The helpdesk's own surface, or `automation` where the helpdesk lets the caller ask it. */
  surface: string;
}

export interface MacroRunRequest extends RunningRequest {
  /** How each step reloads the target (who runs it, what they may do). */
  stepLoad?: Omit<LoadRequest, 'connectorId' | 'sources' | 'targetType'>;
  /** Who the macro's run is recorded as, once the target is loaded. */
  actorFor(loaded: LoadedTarget): RunActor;
}

/** How one helpdesk's app speaks to these endpoints. Each method throws ApiError to refuse. */
export interface HelpdeskApi {
  readonly system: string;
  /** GET /connectors: the target, and the surface to list (its own, or `automation`). */
  readConnectorsQuery(req: Request): TargetRequest & { surface: string };
  readRunBody(req: Request, connectorId: string): ConnectorRunRequest;
  readMacrosQuery(req: Request): TargetRequest;
  readMacroRunBody(req: Request, macroId: string): MacroRunRequest;
  /** What the list answers say about the target: `{ ticketId }`, `{ recordId, objectApiName }`. */
  describeTarget(loaded: LoadedTarget, request: TargetRequest): Record<string, unknown>;
}

export interface HelpdeskRoutesDeps {
  run: RunDeps;
  config: () => CompiledConfig | undefined;
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
}

export function requireConfig(config: CompiledConfig | undefined): CompiledConfig {
  if (!config) {
    throw new ApiError(
      'CONFIG_UNAVAILABLE',
      'No valid connector configuration is loaded; see /health.',
    );
  }
  return config;
}

export function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
}

/** Refuses, before anything is loaded, connectors the helpdesk's own settings do not allow. */
function refuseDisallowed(request: TargetRequest, connectorIds: readonly string[]): void {
  const outside = request.allowed
    ? connectorIds.find((id) => !request.allowed?.has(id))
    : undefined;
  if (outside === undefined) return;
  throw new ApiError(
    'CONNECTOR_NOT_ALLOWED',
    `Connector "${outside}" is not enabled ${request.place ?? "here in this helpdesk's settings"}.`,
  );
}

/** The connector run endpoint, below where its helpdesk's API is mounted. */
export const CONNECTOR_RUN_PATH = '/connectors/:connectorId/run';

/** What the handlers of one helpdesk's endpoints share: its port, loading, Idempotency-Key. */
function createHelpdeskRouteKit(deps: HelpdeskRoutesDeps, api: HelpdeskApi) {
  const helpdesk = (): HelpdeskPort => {
    const port = deps.run.helpdesks.get(api.system);
    if (!port) {
      throw new ApiError(
        'HELPDESK_NOT_CONFIGURED',
        `The "${api.system}" helpdesk is not configured on this server.`,
      );
    }
    return port;
  };

  const load = async (request: TargetRequest): Promise<LoadedTarget> => {
    const loaded = await helpdesk().load(request.targetId, request.load);
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    return loaded.value;
  };

  const once = <T extends object>(
    req: Request,
    fingerprint: Record<string, unknown>,
    run: Parameters<typeof runWithIdempotency<T>>[0]['run'],
  ) =>
    runWithIdempotency<T>({
      store: deps.idempotency,
      scope: principalScope(req.principal),
      key: req.get('idempotency-key'),
      fingerprint,
      run,
    });

  return { helpdesk, load, once };
}

/**
 * POST CONNECTOR_RUN_PATH: runs one connector on one target, once per Idempotency-Key. Apart from
 * the router below, so that the app can route the Zendesk sidebar's runs to it straight from its
 * root (create-app.ts).
 */
export function createConnectorRunHandler(
  deps: HelpdeskRoutesDeps,
  api: HelpdeskApi,
): (req: Request, res: Response) => Promise<void> {
  const { helpdesk, once } = createHelpdeskRouteKit(deps, api);
  return async (req, res) => {
    requireJson(req);
    const connectorId = String(req.params.connectorId);
    const request = api.readRunBody(req, connectorId);
    refuseDisallowed(request, [connectorId]);
    helpdesk();
    sendJsonAnswer(
      res,
      await once(req, { connectorId, ...request.fingerprint }, async ({ key, onSending }) =>
        toRunAnswer(
          await runConnector(deps.run, {
            connectorId,
            system: api.system,
            targetId: request.targetId,
            load: request.load,
            inputs: request.inputs,
            confirmed: request.confirmed,
            dryRun: request.dryRun,
            surface: request.surface,
            source: request.source,
            actor: request.actor,
            ...(key === undefined ? {} : { idempotencyKey: key }),
            onSending,
          }),
        ),
      ),
    );
  };
}

/**
 * The lists of connectors and macros and the macro run; with `runs: true`, the connector run too
 * (CONNECTOR_RUN_PATH), for a helpdesk whose API the app does not route runs to by itself.
 */
export function createHelpdeskRouter(
  deps: HelpdeskRoutesDeps,
  api: HelpdeskApi,
  options: { runs: boolean },
): Router {
  const router = Router();
  const { helpdesk, load, once } = createHelpdeskRouteKit(deps, api);

  router.get('/connectors', async (req, res) => {
    const request = api.readConnectorsQuery(req);
    const config = requireConfig(deps.config());
    const target = await load(request);
    const connectors = await listConnectorViews({
      config,
      target,
      surface: request.surface,
      runLog: deps.runLog,
      pauses: deps.run.pauses,
    });
    res.json({
      ...api.describeTarget(target, request),
      connectors: connectors.filter((view) => !request.allowed || request.allowed.has(view.id)),
    });
  });

  if (options.runs) router.post(CONNECTOR_RUN_PATH, createConnectorRunHandler(deps, api));

  router.get('/macros', async (req, res) => {
    const request = api.readMacrosQuery(req);
    const config = requireConfig(deps.config());
    const target = await load(request);
    res.json({
      ...api.describeTarget(target, request),
      macros: listMacroViews(config, target, api.system, deps.run.pauses).filter(
        (macro) => !request.allowed || macro.connectors.every(({ id }) => request.allowed?.has(id)),
      ),
    });
  });

  router.post('/macros/:macroId/run', async (req, res) => {
    requireJson(req);
    const macroId = String(req.params.macroId);
    const request = api.readMacroRunBody(req, macroId);
    const config = requireConfig(deps.config());
    const macro = config.macros.get(macroId);
    if (!macro || !macro.def.enabled || !macro.def.surfaces.includes(api.system)) {
      // Before loading the target: an unknown macro is a 404 whatever the target.
      throw new ApiError('NOT_FOUND', `There is no macro "${macroId.slice(0, 64)}".`);
    }
    refuseDisallowed(request, macro.connectorIds);
    const target = await load(request);
    const port = helpdesk();
    // A retried or double-clicked macro must not run its steps (and create issues) twice.
    res.json(
      await once(req, { macroId, ...request.fingerprint }, ({ key, onSending }) =>
        runMacro(
          { config, helpdesk: port, run: deps.run },
          {
            macroId,
            surface: api.system,
            target,
            confirmed: request.confirmed,
            ...(request.stepLoad === undefined ? {} : { load: request.stepLoad }),
            source: request.source,
            actor: request.actorFor(target),
            ...(key === undefined ? {} : { idempotencyKey: key }),
            onSending,
          },
        ),
      ),
    );
  });

  return router;
}

/** What the app hands a helpdesk's routes when it builds them. */
export interface RouteContext extends HelpdeskRoutesDeps {
  limiter: RateLimiter;
  adminToken: string;
  logger: Logger;
}

/** What one connected helpdesk adds to the app. */
export interface HelpdeskRoutes {
  /**
   * Routers at the app's root, mounted before the API: pages its app loads (the Zendesk
   * sidebar) or an API behind its own authentication (`/api/salesforce`).
   */
  mounts?(context: RouteContext): { path: string; router: Router }[];
  /** Routes inside the authenticated `/api` (the Zendesk sidebar's). */
  api?(context: RouteContext): Router;
  /**
   * The connector run of that API (POST /api + CONNECTOR_RUN_PATH), which the app routes from its
   * root behind the same authentication, limits and body parser as the rest of `/api`: runs are
   * the hot path, and three nested routers cost about 6% of a run's CPU (docs/performance.md).
   */
  apiRun?(context: RouteContext): (req: Request, res: Response) => Promise<void>;
  /** Sessions the `/api` authenticator accepts besides the admin token (the sidebar's agents). */
  sessions?: AuthOptions['sessions'];
  /**
   * The helpdesk connection's own state, for /health: a connection that has failed for good (a
   * revoked OAuth grant) says so here instead of failing every run in silence.
   */
  health?: () => HelpdeskHealth;
}

/** Never a credential: a stable code and what an admin should do. */
export type HelpdeskHealth = {
  system: string;
  /**
   * The helpdesk's API limits as its last answers stated them (what is left of each window,
   * automation calls waiting for budget): how close background work runs to the limit.
   */
  apiLimits?: BudgetSnapshot;
} & ({ ok: true } | { ok: false; code: string; message: string; since: string });
