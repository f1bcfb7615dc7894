import type { Request } from 'express';
import {
  listConnectorsEndpoint,
  listMacrosEndpoint,
  runConnectorEndpoint,
  runMacroEndpoint,
} from '../../../../shared/src/api/endpoints';
import { ApiError, parseOrThrow } from '../../http/api-error';
import { agentOf } from '../../http/authenticate';
import type { HelpdeskApi } from '../../api/helpdesk-routes';

/**
 * How the Zendesk sidebar (and admin scripts with the admin token) speak to the helpdesk
 * endpoints under /api: tickets by id, the agent proven by the sidebar session, an admin naming
 * the agent to run as. Queries and bodies are parsed with the endpoints' contracts, which the
 * sidebar's client is built from too (shared/src/api/endpoints.ts).
 */

/**
 * What a sidebar session may not ask for: the automation surface (it skips `appliesWhen` and
 * belongs to workflows), or another agent's identity. Admin-token callers are not limited here.
 */
function refuseAgentOverreach(
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

/** The options that make Zendesk load a ticket as the session's agent sees it. */
function viewerOf(req: Request): { viewer: { userId: string } } | Record<string, never> {
  const agent = agentOf(req);
  return agent ? { viewer: { userId: String(agent.userId) } } : {};
}

export const zendeskApi: HelpdeskApi = {
  system: 'zendesk',

  readConnectorsQuery(req) {
    const query = parseOrThrow(listConnectorsEndpoint.query, req.query, 'QUERY_INVALID');
    refuseAgentOverreach(req, { surface: query.surface });
    return { targetId: String(query.ticketId), load: viewerOf(req), surface: query.surface };
  },

  readRunBody(req) {
    const body = parseOrThrow(runConnectorEndpoint.body, req.body, 'BODY_INVALID');
    refuseAgentOverreach(req, {
      surface: body.surface,
      ...(body.agentId === undefined ? {} : { agentId: body.agentId }),
    });
    const agent = agentOf(req);
    return {
      targetId: String(body.ticketId),
      // Not one literal of spreads: "Object literals on the run path" in docs/performance.md.
      load: Object.assign(
        body.commentId === undefined ? {} : { commentId: String(body.commentId) },
        agent === undefined && body.agentId !== undefined ? { actorId: String(body.agentId) } : {},
        viewerOf(req),
      ),
      inputs: body.inputs,
      confirmed: body.confirmed,
      dryRun: body.dryRun,
      surface: body.surface,
      source: agent ? 'zendesk' : 'api',
      // The helpdesk replaces this with the agent as Zendesk has them (runConnector).
      actor: agent ? { kind: 'agent', id: String(agent.userId) } : { kind: 'admin' },
      // Ids may arrive as 1 or "1"; the same request must get the same fingerprint either way.
      fingerprint: {
        ...body,
        ticketId: String(body.ticketId),
        ...(body.commentId === undefined ? {} : { commentId: String(body.commentId) }),
        ...(body.agentId === undefined ? {} : { agentId: String(body.agentId) }),
      },
    };
  },

  readMacrosQuery(req) {
    const query = parseOrThrow(listMacrosEndpoint.query, req.query, 'QUERY_INVALID');
    return { targetId: String(query.ticketId), load: viewerOf(req) };
  },

  readMacroRunBody(req) {
    const body = parseOrThrow(runMacroEndpoint.body, req.body, 'BODY_INVALID');
    refuseAgentOverreach(req, body.agentId === undefined ? {} : { agentId: body.agentId });
    const agent = agentOf(req);
    const agentId = agent
      ? String(agent.userId)
      : body.agentId === undefined
        ? undefined
        : String(body.agentId);
    return {
      targetId: String(body.ticketId),
      load: {
        ...(agent === undefined && agentId !== undefined ? { actorId: agentId } : {}),
        ...viewerOf(req),
      },
      ...(agentId === undefined ? {} : { stepLoad: { actorId: agentId } }),
      confirmed: body.confirmed,
      source: agent ? 'zendesk' : 'api',
      actor: agent ? { kind: 'agent', id: String(agent.userId) } : { kind: 'admin' },
      actorFor: (loaded) =>
        loaded.agent
          ? { kind: 'agent', ...loaded.agent }
          : agent
            ? { kind: 'agent', id: String(agent.userId) }
            : { kind: 'admin' },
      fingerprint: { ...body, ticketId: String(body.ticketId), agentId: agentId ?? null },
    };
  },

  describeTarget: (loaded) => ({ ticketId: loaded.target.id }),
};
