import { Router } from 'express';
import type { Request } from 'express';
import {
  listConnectorsQuerySchema,
  runConnectorBodySchema,
} from '../../../shared/src/api/api-contracts';
import type { CompiledConfig } from '../compile/compiled-model';
import type { RunLogStore } from '../run-log/run-record';
import type { IdempotencyStore } from '../runs/idempotency-store';
import { runConnector } from '../runs/run-connector';
import type { RunDeps } from '../runs/run-connector';
import { ApiError, parseOrThrow } from './api-error';
import { agentOf } from './authenticate';
import type { Principal } from './authenticate';
import { listConnectorViews } from './connector-views';
import { toRunAnswer } from './run-result-view';
import { runWithIdempotency } from './run-with-idempotency';

export interface ConnectorsRouteDeps {
  run: RunDeps;
  config: () => CompiledConfig | undefined;
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
}

export function principalScope(principal: Principal | undefined): string {
  if (!principal || principal.kind === 'admin') return 'admin';
  if (principal.kind === 'salesforce') return 'salesforce';
  const { session } = principal;
  return `zendesk:${session.accountHost}:${session.userId}`;
}

/**
 * What a sidebar session may not ask for: the automation surface (it skips `appliesWhen` and
 * belongs to workflows), or another agent's identity. Admin-token callers are not limited here.
 */
export function refuseAgentOverreach(
  req: Request,
  asked: { surface?: string; agentId?: string | number },
): void {
  const agent = agentOf(req);
  if (!agent) return;
  if (asked.surface !== undefined && asked.surface !== 'zendesk') {
    throw new ApiError('FORBIDDEN', `The sidebar cannot use the ${asked.surface} surface.`);
  }
  if (asked.agentId !== undefined && String(asked.agentId) !== String(agent.userId)) {
    throw new ApiError(
      'FORBIDDEN',
      'agentId is taken from your Zendesk session; it cannot name another user.',
    );
  }
}

/** The options that make a helpdesk load a ticket as the session's agent sees it. */
export function viewerOf(req: Request): { viewer: { userId: string } } | Record<string, never> {
  const agent = agentOf(req);
  return agent ? { viewer: { userId: String(agent.userId) } } : {};
}

export function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
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

/** The Zendesk-facing endpoints: connectors for a ticket, and running one. */
export function createConnectorsRouter(deps: ConnectorsRouteDeps): Router {
  const router = Router();

  router.get('/connectors', async (req, res) => {
    const query = parseOrThrow(listConnectorsQuerySchema, req.query, 'QUERY_INVALID');
    const config = requireConfig(deps.config());
    const helpdesk = deps.run.helpdesks.get('zendesk');
    if (!helpdesk)
      throw new ApiError('HELPDESK_NOT_CONFIGURED', 'Zendesk is not configured on this server.');
    refuseAgentOverreach(req, { surface: query.surface });
    const loaded = await helpdesk.load(String(query.ticketId), viewerOf(req));
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    const connectors = await listConnectorViews({
      config,
      target: loaded.value,
      surface: query.surface,
      runLog: deps.runLog,
    });
    res.json({ ticketId: loaded.value.target.id, connectors });
  });

  router.post('/connectors/:connectorId/run', async (req, res) => {
    requireJson(req);
    const body = parseOrThrow(runConnectorBodySchema, req.body, 'BODY_INVALID');
    refuseAgentOverreach(req, {
      surface: body.surface,
      ...(body.agentId === undefined ? {} : { agentId: body.agentId }),
    });
    const agent = agentOf(req);
    const connectorId = String(req.params.connectorId);
    res.json(
      await runWithIdempotency({
        store: deps.idempotency,
        scope: principalScope(req.principal),
        key: req.get('idempotency-key'),
        // Ids may arrive as 1 or "1"; the same request must get the same fingerprint either way.
        fingerprint: {
          connectorId,
          ...body,
          ticketId: String(body.ticketId),
          ...(body.commentId === undefined ? {} : { commentId: String(body.commentId) }),
          ...(body.agentId === undefined ? {} : { agentId: String(body.agentId) }),
        },
        run: async ({ key, onSending }) =>
          toRunAnswer(
            await runConnector(deps.run, {
              connectorId,
              system: 'zendesk',
              targetId: String(body.ticketId),
              load: {
                ...(body.commentId === undefined ? {} : { commentId: String(body.commentId) }),
                ...(agent === undefined && body.agentId !== undefined
                  ? { actorId: String(body.agentId) }
                  : {}),
                ...viewerOf(req),
              },
              inputs: body.inputs,
              confirmed: body.confirmed,
              dryRun: body.dryRun,
              surface: body.surface,
              source: agent ? 'zendesk' : 'api',
              // The helpdesk replaces this with the agent as Zendesk has them (runConnector).
              actor: agent ? { kind: 'agent', id: String(agent.userId) } : { kind: 'admin' },
              ...(key === undefined ? {} : { idempotencyKey: key }),
              onSending,
            }),
          ),
      }),
    );
  });

  return router;
}
