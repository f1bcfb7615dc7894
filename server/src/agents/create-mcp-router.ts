import express, { Router } from 'express';
import type { Request, Response } from 'express';
import type { AgentSurfaceDeps } from './agent-surface-deps';
import { loadOnce } from '../../../shared/src/load-once';
import { authenticateAgentKey } from './run-agent-tool';
import type { McpNodeHandler } from './serve-mcp';

/** The server's version, as MCP clients see it in serverInfo. */
export const SERVER_VERSION = '0.1.0';

/**
 * RFC 9728 protected-resource metadata for /mcp, which the 401's WWW-Authenticate points to.
 * Agent keys are issued by the admin, not by an OAuth authorization server, so none is named:
 * the document says where the resource is and that the key goes in the Authorization header.
 */
export function describeMcpResource(serverUrl: string): Record<string, unknown> {
  return {
    resource: `${serverUrl}/mcp`,
    bearer_methods_supported: ['header'],
    resource_name: 'Data Connectors',
    resource_documentation: `${serverUrl}/`,
  };
}

export type McpRouterDeps = AgentSurfaceDeps;

/**
 * `/mcp`: the connectors with the `agent` surface as tools, over MCP's Streamable HTTP transport
 * (stateless: both the 2026-07-28 revision and 2025-era clients), built with the official SDK.
 * A request needs an agent key (`Authorization: Bearer dcak_…`); each tool call is a run like
 * any other (redaction, rate limits, egress rules, the run log) with the key's name as actor.
 */
export function createMcpRouter(deps: McpRouterDeps): Router {
  const router = Router();
  // The SDK is loaded by the first request with a valid key (serve-mcp.ts says why), once.
  const loadHandler = loadOnce(async (): Promise<McpNodeHandler> =>
    (await import('./serve-mcp')).createMcpNodeHandler(deps),
  );

  router.all('/', express.json({ limit: '1mb' }), async (req: Request, res: Response) => {
    const key = await authenticateAgentKey(req, res, deps);
    if (!key) return;
    (req as Request & { auth?: unknown }).auth = {
      token: 'agent-key',
      clientId: key.name,
      scopes: [],
      extra: { agentKey: key },
    };
    const nodeHandler = await loadHandler();
    await nodeHandler(req, res, req.body);
  });

  return router;
}
