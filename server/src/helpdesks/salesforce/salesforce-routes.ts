import { Router } from 'express';
import type { Request } from 'express';
import express from 'express';
import {
  salesforceListConnectorsEndpoint,
  salesforceListMacrosEndpoint,
  salesforceRunConnectorEndpoint,
  salesforceRunMacroEndpoint,
} from '../../../../shared/src/api/endpoints';
import { ApiError, parseOrThrow } from '../../http/api-error';
import { createConnectorKeyAuthenticator } from '../../http/authenticate';
import { createHelpdeskRouter } from '../../api/helpdesk-routes';
import type { HelpdeskApi, RouteContext, TargetRequest } from '../../api/helpdesk-routes';
import { kindOfApiRequest } from '../../http/rate-limit';
import { runIdSchema } from '../../run-log/run-record';
import type { RunActor, RunSource } from '../../run-log/run-record';
import type { LoadRequest } from '../../runs/helpdesk-port';

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

/** The actor Apex vouches for (the rep), or the admin behind a script. */
function actorOf(req: Request, userId: string | undefined): RunActor {
  return req.principal?.kind === 'admin'
    ? { kind: 'admin' }
    : { kind: 'agent', ...(userId === undefined ? {} : { id: userId }) };
}

function sourceOf(req: Request): RunSource {
  return req.principal?.kind === 'app' ? 'salesforce' : 'api';
}

/**
 * How the Apex controller speaks to the helpdesk endpoints: records by object and id, the rep's
 * user id, and the org's settings (allowed connectors, record access, editable fields only).
 */
const salesforceApi: HelpdeskApi = {
  system: 'salesforce',

  readConnectorsQuery(req) {
    const query = parseOrThrow(salesforceListConnectorsEndpoint.query, req.query, 'QUERY_INVALID');
    return { surface: 'salesforce', ...listTargetOf(query) };
  },

  readRunBody(req) {
    const body = parseOrThrow(salesforceRunConnectorEndpoint.body, req.body, 'BODY_INVALID');
    return {
      inputs: body.inputs,
      confirmed: body.confirmed,
      dryRun: body.dryRun,
      surface: 'salesforce',
      source: sourceOf(req),
      actor: actorOf(req, body.userId),
      fingerprint: body,
      ...runTargetOf(body),
    };
  },

  readMacrosQuery(req) {
    return listTargetOf(
      parseOrThrow(salesforceListMacrosEndpoint.query, req.query, 'QUERY_INVALID'),
    );
  },

  readMacroRunBody(req) {
    const body = parseOrThrow(salesforceRunMacroEndpoint.body, req.body, 'BODY_INVALID');
    const target = runTargetOf(body);
    const actor = actorOf(req, body.userId);
    return {
      stepLoad: target.load,
      confirmed: body.confirmed,
      source: sourceOf(req),
      actor,
      actorFor: () => actor,
      fingerprint: body,
      ...target,
    };
  },

  describeTarget: (_loaded, request) => ({
    recordId: request.targetId,
    objectApiName: request.load.targetType,
  }),
};

function listTargetOf(query: {
  objectApiName: string;
  recordId: string;
  userId?: string | undefined;
  allowedConnectorIds?: string[] | undefined;
}): TargetRequest {
  const allowed = allowedSet(query.allowedConnectorIds);
  return {
    targetId: query.recordId,
    load: {
      targetType: query.objectApiName,
      ...(query.userId === undefined ? {} : { actorId: query.userId }),
    },
    ...(allowed ? { allowed } : {}),
    place: `on ${query.objectApiName} records in this org's Data Connectors settings`,
  };
}

function runTargetOf(body: {
  objectApiName: string;
  recordId: string;
  userId?: string | undefined;
  onlyEditableFields: boolean;
  recordEditable?: boolean | undefined;
  allowedConnectorIds?: string[] | undefined;
}): TargetRequest {
  const allowed = allowedSet(body.allowedConnectorIds);
  return {
    targetId: body.recordId,
    load: loadRequestOf(body),
    ...(allowed ? { allowed } : {}),
    place: `on ${body.objectApiName} records in this org's Data Connectors settings`,
  };
}

/**
 * The endpoints the Salesforce Apex controller calls (`callout:Data_Connectors/api/salesforce/…`):
 * the helpdesk endpoints every app uses (api/helpdesk-routes.ts), behind the connector key, and
 * the record's runs.
 */
export function createSalesforceRouter(
  deps: RouteContext & { connectorKey: string; onRejected?: (reason: string) => void },
): Router {
  const router = Router();
  router.use(
    createConnectorKeyAuthenticator({
      system: 'salesforce',
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
  router.use(createHelpdeskRouter(deps, salesforceApi, { runs: true }));

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
