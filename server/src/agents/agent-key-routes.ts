import { Router } from 'express';
import * as z from 'zod';
import { ApiError, parseOrThrow } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import type { AgentKeys } from './agent-keys';

const createBodySchema = z.strictObject({
  name: z.string().min(1).max(64),
  /** Connector ids, or ["*"] for every connector with the agent surface. */
  connectorIds: z.array(z.string().min(1).max(64)).min(1).max(200),
});

/**
 * `/api/admin/agent-keys` (admin token only): create a key (its secret is in this answer and
 * nowhere else), list keys (never their secrets), revoke one by name.
 */
export function createAgentKeyRoutes(
  agentKeys: AgentKeys,
  agentConnectorIds: () => readonly string[] | undefined,
): Router {
  const router = Router();
  router.use((req, _res, next) => {
    requireAdmin(req);
    next();
  });
  router.get('/', async (_req, res) => {
    res.json({ keys: await agentKeys.list() });
  });
  router.post('/', async (req, res) => {
    const body = parseOrThrow(createBodySchema, req.body, 'BODY_INVALID');
    const known = agentConnectorIds();
    const created = await agentKeys.create({
      ...body,
      ...(known ? { agentConnectorIds: known } : {}),
    });
    if (!created.ok) {
      throw new ApiError(
        created.error.code === 'AGENT_KEY_NAME_TAKEN' ? 'AGENT_KEY_NAME_TAKEN' : 'BODY_INVALID',
        created.error.message,
      );
    }
    res.status(201).setHeader('Cache-Control', 'no-store').json(created.value);
  });
  router.delete('/:name', async (req, res) => {
    const revoked = await agentKeys.revoke(String(req.params.name));
    if (!revoked.ok) throw new ApiError('NOT_FOUND', revoked.error.message);
    res.status(204).end();
  });
  return router;
}
