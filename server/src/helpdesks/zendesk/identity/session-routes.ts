import { Router } from 'express';
import { ApiError } from '../../../http/api-error';
import { agentOf } from '../../../http/authenticate';
import type { AgentAccess } from './agent-access';
import type { AgentSessions } from './agent-session';

/**
 * `POST /api/session/refresh`: the sidebar renews its session before it expires. The agent is
 * looked up again (cached briefly), so an agent suspended or downgraded in Zendesk loses the
 * session at the next renewal at the latest; a session never outlives its maximum age.
 */
export function createSessionRouter(deps: {
  sessions: AgentSessions;
  access: AgentAccess;
}): Router {
  const router = Router();
  router.post('/session/refresh', async (req, res) => {
    const session = agentOf(req);
    if (!session) throw new ApiError('FORBIDDEN', 'Only a sidebar session can be renewed.');
    const agent = await deps.access.loadAgent(session.userId);
    if (!agent.ok) {
      throw agent.error.code === 'AGENT_NOT_ALLOWED'
        ? new ApiError('AGENT_NOT_FOUND', agent.error.message)
        : new ApiError(agent.error.code, agent.error.message);
    }
    const renewed = await deps.sessions.renew(session);
    if (!renewed.ok) {
      throw new ApiError(
        'SESSION_EXPIRED',
        'The session has reached its maximum age; reopen the ticket in Zendesk.',
        undefined,
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    res.json({ token: renewed.value.token, expiresAt: renewed.value.expiresAt });
  });
  return router;
}
