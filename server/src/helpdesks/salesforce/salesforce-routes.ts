import { Router } from 'express';
import type { Request } from 'express';
import express from 'express';
import {
  salesforceListMacrosQuerySchema,
  salesforceListQuerySchema,
  salesforceRunBodySchema,
  salesforceRunMacroBodySchema,
} from '../../../../shared/src/api/api-contracts';
import type { CompiledConfig } from '../../compile/compiled-model';
import type { RunLogStore } from '../../run-log/run-record';
import { runIdSchema } from '../../run-log/run-record';
import type { IdempotencyStore } from '../../runs/idempotency-store';
import type { LoadRequest } from '../../runs/helpdesk-port';
import { runConnector } from '../../runs/run-connector';
import type { RunDeps } from '../../runs/run-connector';
import { listMacroViews, runMacro } from '../../workflows/run-macro';
import { ApiError, parseOrThrow } from '../../api/api-error';
import { createConnectorKeyAuthenticator } from '../../api/authenticate';
import { principalScope, requireConfig, requireJson } from '../../api/connectors-routes';
import { listConnectorViews } from '../../api/connector-views';
import { kindOfApiRequest } from '../../api/rate-limit';
import type { RateLimiter } from '../../api/rate-limit';
import { toRunAnswer } from '../../api/run-result-view';
import { runWithIdempotency } from '../../api/run-with-idempotency';

const SALESFORCE_USER_ID = /^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;

/** The user id the Apex controller sent (body for runs, query for lists), when well formed. */
function salesforceUserIdOf(req: Request): string | undefined {
  const body: unknown = req.body;
  const fromBody =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>).userId
      : undefined;
  const candidate = fromBody ?? req.query.userId;
  // 15- and 18-character ids name the same user; the first 15 are the key.
  return typeof candidate === 'string' && SALESFORCE_USER_ID.test(candidate)
    ? candidate.slice(0, 15)
    : undefined;
}

/**
 * What Apex sends about the record and the rep, as the helpdesk's load request: the object, the
 * rep (run as, and the actor), and what the org lets them do.
 */
function loadRequestOf(body: {
  objectApiName: string;
  userId?: string | undefined;
  onlyEditableFields: boolean;
  recordEditable?: boolean | undefined;
}): LoadRequest {
  return {
    targetType: body.objectApiName,
    ...(body.userId === undefined ? {} : { actorId: body.userId }),
    callerRights: {
      onlyEditableFields: body.onlyEditableFields,
      ...(body.recordEditable === undefined ? {} : { mayEdit: body.recordEditable }),
    },
  };
}

function allowedSet(ids: readonly string[] | undefined): Set<string> | undefined {
  return ids === undefined ? undefined : new Set(ids);
}

/**
 * The org's admin limits the connectors on an object (Data_Connectors_Setting__mdt, read by
 * Apex, never by the browser); a run of anything else is refused before the record is loaded.
 */
function refuseDisallowed(
  allowedIds: readonly string[] | undefined,
  connectorIds: readonly string[],
  objectApiName: string,
): void {
  const allowed = allowedSet(allowedIds);
  const outside = allowed ? connectorIds.find((id) => !allowed.has(id)) : undefined;
  if (outside === undefined) return;
  throw new ApiError(
    'CONNECTOR_NOT_ALLOWED',
    `Connector "${outside}" is not enabled on ${objectApiName} records in this org's Data Connectors settings.`,
  );
}

/**
 * The endpoints the Salesforce Apex controller calls (`callout:Data_Connectors/api/salesforce/…`).
 * Same pipeline and result shapes as the Zendesk endpoints; the target is a record. Macros
 * (`/macros`, `/macros/:macroId/run`) are the Zendesk sidebar's, offered where a macro's
 * `surfaces` include `salesforce`.
 */
export function createSalesforceRouter(deps: {
  run: RunDeps;
  config: () => CompiledConfig | undefined;
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
  connectorKey: string;
  adminToken: string;
  limiter: RateLimiter;
  onRejected?: (reason: string) => void;
}): Router {
  const router = Router();
  router.use(
    createConnectorKeyAuthenticator({
      connectorKey: deps.connectorKey,
      adminToken: deps.adminToken,
      ...(deps.onRejected ? { onRejected: deps.onRejected } : {}),
    }),
  );
  router.use(express.json({ limit: '100kb', strict: true }));
  // Every Salesforce user comes through the one Named Credential, so the limit is per user id
  // the Apex controller sends (Salesforce vouches for it), not per key; admin scripts share one.
  router.use(
    deps.limiter.middleware(kindOfApiRequest, (req) => {
      if (req.principal?.kind === 'admin') return 'admin';
      const userId = salesforceUserIdOf(req);
      return userId === undefined ? 'salesforce' : `salesforce:${userId}`;
    }),
  );

  const helpdesk = () => {
    const salesforce = deps.run.helpdesks.get('salesforce');
    if (!salesforce) {
      throw new ApiError('HELPDESK_NOT_CONFIGURED', 'Salesforce is not configured on this server.');
    }
    return salesforce;
  };

  router.get('/connectors', async (req, res) => {
    const query = parseOrThrow(salesforceListQuerySchema, req.query, 'QUERY_INVALID');
    const config = requireConfig(deps.config());
    const loaded = await helpdesk().load(query.recordId, {
      targetType: query.objectApiName,
      ...(query.userId === undefined ? {} : { actorId: query.userId }),
    });
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    const connectors = await listConnectorViews({
      config,
      target: loaded.value,
      surface: 'salesforce',
      runLog: deps.runLog,
    });
    const allowed = allowedSet(query.allowedConnectorIds);
    res.json({
      recordId: query.recordId,
      objectApiName: query.objectApiName,
      connectors: allowed ? connectors.filter((view) => allowed.has(view.id)) : connectors,
    });
  });

  router.post('/connectors/:connectorId/run', async (req, res) => {
    requireJson(req);
    const body = parseOrThrow(salesforceRunBodySchema, req.body, 'BODY_INVALID');
    const connectorId = String(req.params.connectorId);
    refuseDisallowed(body.allowedConnectorIds, [connectorId], body.objectApiName);
    helpdesk();
    res.json(
      await runWithIdempotency({
        store: deps.idempotency,
        scope: principalScope(req.principal),
        key: req.get('idempotency-key'),
        fingerprint: { connectorId, ...body },
        run: async ({ key, onSending }) =>
          toRunAnswer(
            await runConnector(deps.run, {
              connectorId,
              system: 'salesforce',
              targetId: body.recordId,
              load: loadRequestOf(body),
              inputs: body.inputs,
              confirmed: body.confirmed,
              dryRun: body.dryRun,
              surface: 'salesforce',
              source: req.principal?.kind === 'salesforce' ? 'salesforce' : 'api',
              actor:
                req.principal?.kind === 'admin'
                  ? { kind: 'admin' }
                  : { kind: 'agent', ...(body.userId === undefined ? {} : { id: body.userId }) },
              ...(key === undefined ? {} : { idempotencyKey: key }),
              onSending,
            }),
          ),
      }),
    );
  });

  router.get('/macros', async (req, res) => {
    const query = parseOrThrow(salesforceListMacrosQuerySchema, req.query, 'QUERY_INVALID');
    const config = requireConfig(deps.config());
    const loaded = await helpdesk().load(query.recordId, {
      targetType: query.objectApiName,
      ...(query.userId === undefined ? {} : { actorId: query.userId }),
    });
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    res.json({
      recordId: query.recordId,
      objectApiName: query.objectApiName,
      macros: listMacroViews(config, loaded.value, 'salesforce').filter((macro) => {
        const allowed = allowedSet(query.allowedConnectorIds);
        return !allowed || macro.connectors.every((connector) => allowed.has(connector.id));
      }),
    });
  });

  router.post('/macros/:macroId/run', async (req, res) => {
    requireJson(req);
    const body = parseOrThrow(salesforceRunMacroBodySchema, req.body, 'BODY_INVALID');
    const config = requireConfig(deps.config());
    const macroId = String(req.params.macroId);
    const macro = config.macros.get(macroId);
    if (!macro || !macro.def.enabled || !macro.def.surfaces.includes('salesforce')) {
      // Before loading the record: an unknown macro is a 404 whatever the record.
      throw new ApiError('NOT_FOUND', `There is no macro "${macroId.slice(0, 64)}".`);
    }
    refuseDisallowed(body.allowedConnectorIds, macro.connectorIds, body.objectApiName);
    const salesforce = helpdesk();
    const loaded = await salesforce.load(body.recordId, loadRequestOf(body));
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    const fromApex = req.principal?.kind === 'salesforce';
    // A retried callout must not run the macro's steps (and create issues) twice.
    res.json(
      await runWithIdempotency({
        store: deps.idempotency,
        scope: principalScope(req.principal),
        key: req.get('idempotency-key'),
        fingerprint: { macroId, ...body },
        run: async ({ key, onSending }) => {
          const ran = await runMacro(
            { config, helpdesk: salesforce, run: deps.run },
            {
              macroId,
              surface: 'salesforce',
              target: loaded.value,
              confirmed: body.confirmed,
              load: loadRequestOf(body),
              source: fromApex ? 'salesforce' : 'api',
              actor:
                req.principal?.kind === 'admin'
                  ? { kind: 'admin' }
                  : { kind: 'agent', ...(body.userId === undefined ? {} : { id: body.userId }) },
              ...(key === undefined ? {} : { idempotencyKey: key }),
              onSending,
            },
          );
          return ran;
        },
      }),
    );
  });

  router.get('/runs/:runId', async (req, res) => {
    const runId = String(req.params.runId);
    const run = runIdSchema.safeParse(runId).success ? await deps.runLog.get(runId) : undefined;
    if (!run || run.target.system !== 'salesforce') {
      throw new ApiError('RUN_NOT_FOUND', `There is no Salesforce run "${runId.slice(0, 40)}".`);
    }
    res.json({ run });
  });

  return router;
}
