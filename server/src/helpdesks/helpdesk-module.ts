import type pg from 'pg';
import type { ConsoleSessions } from '../http/console-sessions';
import type { HelpdeskRoutes } from '../api/helpdesk-routes';
import type { CompiledConfig } from '../compile/compiled-model';
import type { HelpdeskConfigFormat } from '../compile/config-format';
import type { ServerEnv } from '../env/parse-env';
import type { Logger } from '../logging/logger';
import type { HelpdeskPort } from '../runs/helpdesk-port';
import type { Sandbox } from '../sandbox/open-sandbox';
import type { HelpdeskWebhook } from '../workflows/webhook-routes';

/**
 * Everything one helpdesk brings, from its own folder (helpdesks/<name>/): what it adds to the
 * config format, the credentials to mask, its webhook check, and how it connects (its adapter and
 * its routes). The server runs with a list of these (helpdesk-registry.ts); the pipeline, the
 * step engine, macros and the generic routes only see the adapter (runs/helpdesk-port.ts).
 */
export interface HelpdeskModule {
  /** Its id: the config group key, the run target's `system`, the surface, the webhook path. */
  readonly system: string;
  readonly config: HelpdeskConfigFormat;
  /** Its credentials from the environment, masked wherever the server writes. */
  secretsOf(env: ServerEnv): readonly string[];
  /** Its webhooks, which start workflows, with the signing secret from the environment. */
  readonly webhook?: {
    check: HelpdeskWebhook;
    secretOf(env: ServerEnv): string | undefined;
  };
  /** Connects once the server listens; undefined when the environment does not set it up. */
  connect(context: HelpdeskContext): Promise<ConnectedHelpdesk | undefined>;
}

/** What a helpdesk is given to connect. */
export interface HelpdeskContext {
  env: ServerEnv;
  /** This server's own URL: in sandbox mode the helpdesks are served by it. */
  url: string;
  sandbox: Sandbox | undefined;
  config: () => CompiledConfig | undefined;
  logger: Logger;
  /** Replaces waits between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** The options the server was started with, for the helpdesks that take some (tests, preview). */
  options: object;
  /**
   * The admin console, for a helpdesk that shows it inside its own UI (Zendesk's nav_bar) to
   * the users it proves are admins.
   */
  console?: { sessions: ConsoleSessions; assetsDir: string };
  /** Credentials learnt at run time (refreshed OAuth tokens), for the redactor to mask. */
  onCredential?: (value: string) => void;
  /**
   * The database the instances share (DATABASE_URL): where a helpdesk keeps what every instance
   * must agree on (keys it draws, rotated tokens) instead of DATA_DIR.
   */
  sharedDatabase?: pg.Pool;
}

export interface ConnectedHelpdesk {
  /** For agents' work: the sidebar, the Lightning page, AI agents, the console. */
  port: HelpdeskPort;
  /**
   * The same helpdesk for background work (workflow deliveries, backfills' runs): its calls wait
   * behind agents' under the helpdesk's limits and its writes may be batched (run-lane.ts).
   * Without one, `port` serves background work too.
   */
  automationPort?: HelpdeskPort;
  routes: HelpdeskRoutes;
}
