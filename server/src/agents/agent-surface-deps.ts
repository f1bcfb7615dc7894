import type { CompiledConfig } from '../compile/compiled-model';
import type { RateLimiter } from '../http/rate-limit';
import type { RunDeps } from '../runs/run-connector';
import type { AgentKeys } from './agent-keys';
import type { CustomerVerification } from './customer-verification';

/** What both ways AI agents reach the connectors (/mcp and the HTTP actions) are built from. */
export interface AgentSurfaceDeps {
  run: RunDeps;
  config: () => CompiledConfig | undefined;
  agentKeys: AgentKeys;
  limiter: RateLimiter;
  /** This server's base URL: the OpenAPI servers entry, and where the 401 points clients. */
  serverUrl: () => string;
  version: string;
  /** Customer verification by email code; without it, tools that need it refuse. */
  verification?: CustomerVerification;
}
